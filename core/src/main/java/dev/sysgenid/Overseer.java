/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;

import dev.sysgenid.internal.Errno;
import dev.sysgenid.internal.LibC;

/**
 * The orchestrator's side of the device: move the counter after a restore ({@link #trigger}),
 * then wait until every tracked watcher has acknowledged it ({@link #awaitWatchers}).
 *
 * <p>The overseer has a file of its own, never tracked. It acknowledges the generations it
 * triggers itself, so its wait is not cut short by its own bump; a bump by someone else (the
 * hypervisor, another overseer) during a wait ends it with {@link WaitResult.Outcome#CALLER_OUTDATED}.
 *
 * <p>Blocking: both operations block the calling thread (never call them on an event-loop
 * thread). A wait sleeps in the kernel in slices of at most 100 ms, so it notices
 * {@link Thread#interrupt()} within that time and throws {@link InterruptedException}.
 * Thread-safe; close is idempotent.
 */
public final class Overseer implements AutoCloseable {

    private static final int WAIT_SLICE_MILLIS = 100;

    private final Watcher own;
    private final GenerationDevice device;
    /**
     * The generation of the overseer's own file as last seen (its open, its acknowledgements),
     * or -1 while unknown: what {@link #catchUp()} answers for an up-to-date file once the device,
     * whose mapped page tells the current generation, is closed (the overseer outlives it).
     */
    private volatile long generation;
    /** Held across a catch-up's acknowledgement and its record, so that the last one written is the one kept. */
    private final Object catchingUp = new Object();

    /** {@code generation}: the device's current one, read after {@code own} was opened; -1 if unknown. */
    Overseer(Watcher own, GenerationDevice device, long generation) {
        this.own = own;
        this.device = device;
        this.generation = generation;
    }

    /**
     * Moves the counter to {@code max(minGeneration, current + 1)} and acknowledges the result
     * for the overseer's own file. On this project's module the arithmetic is unsigned and the
     * counter always moves; the production driver's is signed: the counter becomes
     * {@code max((int) minGeneration, counter + 1)}, the add wrapping. So a {@code minGeneration}
     * of 0x80000000 or more (negative) changes nothing below the top, but at 0x7fffffff, where
     * {@code counter + 1} wraps to 0x80000000, it sets the counter to that minimum; a minimum of 0
     * there wraps the counter to 0, and a minimum of 0x7fffffff leaves it where it is (no watcher
     * becomes outdated, and the watchers count that {@link #awaitWatchers} waits on stays up until
     * the next change: avoid it). The result is the generation the driver actually set (see the
     * ABI document's table of the two drivers' differences).
     *
     * @param minGeneration the lowest acceptable new generation (unsigned 32-bit on this project's
     *        module, signed on the production driver)
     * @return the generation after the bump (a later one if the counter moved again meanwhile)
     * @throws MissingCapabilityException without CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN (where
     *         the driver looks for them: {@link MissingCapabilityException})
     */
    public int trigger(int minGeneration) {
        own.acquire();
        try {
            int r = own.file().ioctl(LibC.SYSGENID_TRIGGER_GEN_UPDATE, Integer.toUnsignedLong(minGeneration));
            if (r == -Errno.EACCES || r == -Errno.EPERM) {
                throw new MissingCapabilityException(-r, device.driver().profile());
            }
            if (r < 0) {
                throw Failures.of("ioctl(TRIGGER_GEN_UPDATE)", -r);
            }
            return catchUp();
        } finally {
            own.release();
        }
    }

    /**
     * {@link #trigger(int)} with no minimum: the counter moves by one.
     *
     * @return the generation after the bump
     */
    public int trigger() {
        return trigger(0);
    }

    /**
     * Acknowledges whatever generation is current for the overseer's own file.
     *
     * @return the generation acknowledged
     */
    public int catchUp() {
        synchronized (catchingUp) {
            while (true) {
                OptionalInt g = own.tryRead();
                if (g.isEmpty()) {
                    return upToDateGeneration();
                }
                if (own.acknowledge(g.getAsInt()) == AckResult.ACKNOWLEDGED) {
                    generation = Integer.toUnsignedLong(g.getAsInt());
                    return g.getAsInt();
                }
            }
        }
    }

    /**
     * The generation of the overseer's up-to-date file: the device's current one while the device
     * is open, else the one this overseer saw last (its file has not changed since, or it would
     * not be up to date).
     */
    private int upToDateGeneration() {
        try {
            return device.currentGeneration();
        } catch (DeviceClosedException closed) {
            long g = generation;
            if (g < 0) {
                throw closed;
            }
            return (int) g;
        }
    }

    /**
     * Waits until no tracked watcher is outdated, or the timeout expires, or the overseer's own
     * file becomes outdated. {@link #close()} from another thread ends the wait within 100 ms
     * with a {@link WatcherClosedException}.
     *
     * <p>Timeouts here mean what they mean in {@link Watcher#read(Duration)}: how long to wait
     * at most, where {@link Duration#ZERO} (or a negative one) waits not at all, it asks the
     * driver once (with its shortest wait, 1 ms). {@link #awaitWatchers()} waits without a limit.
     *
     * @param timeout how long to wait at most
     * @return how the wait ended, with the outdated count seen last
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public WaitResult awaitWatchers(Duration timeout) throws InterruptedException {
        return await(Watcher.timeoutNanos(timeout), false);
    }

    /**
     * {@link #awaitWatchers(Duration)} without a time limit: only all acknowledgements, a
     * change of the overseer's own file, an interrupt or {@link #close()} end it.
     *
     * @return how the wait ended, with the outdated count seen last
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public WaitResult awaitWatchers() throws InterruptedException {
        return await(0, true);
    }

    private WaitResult await(long timeoutNanos, boolean forever) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        own.acquire();
        try {
            while (true) {
                long left = forever ? Long.MAX_VALUE : deadline - System.nanoTime();
                long slice = Math.min(WAIT_SLICE_MILLIS, Math.max(1, left / 1_000_000));
                int r = own.file().ioctl(LibC.SYSGENID_WAIT_WATCHERS, slice);
                if (r == 0) {
                    return new WaitResult(WaitResult.Outcome.ALL_ACKNOWLEDGED, OptionalInt.of(0));
                }
                if (r == -Errno.EINTR && own.isOutdated()) {
                    return new WaitResult(WaitResult.Outcome.CALLER_OUTDATED, outdatedNow());
                }
                if (r != -Errno.ETIME && r != -Errno.EINTR) {
                    throw Failures.of("ioctl(WAIT_WATCHERS)", -r);
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting for watchers");
                }
                if (own.isClosed()) {
                    throw new WatcherClosedException("overseer on " + device.name());
                }
                if (!forever && deadline - System.nanoTime() <= 0) {
                    return new WaitResult(WaitResult.Outcome.TIMED_OUT, outdatedNow());
                }
            }
        } finally {
            own.release();
        }
    }

    /**
     * One restore cycle: {@link #trigger(int)}, then {@link #awaitLatestGeneration(Duration)}.
     *
     * @param minGeneration the generation the counter moves to at least (0: by one)
     * @param timeout how long the wait lasts at most; {@link Duration#ZERO} waits not at all
     * @return how the wait ended
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public WaitResult restoreCycle(int minGeneration, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout"); // before the trigger: a refused call changes nothing
        trigger(minGeneration);
        return awaitLatestGeneration(timeout);
    }

    /**
     * {@link #awaitWatchers(Duration)}, carried through further changes: if the counter moves
     * again during the wait (the hypervisor, another overseer), catches up with it and waits for
     * the newer generation, all within the same timeout. Never ends with {@link
     * WaitResult.Outcome#CALLER_OUTDATED}.
     *
     * @param timeout how long to wait at most in total; {@link Duration#ZERO} waits not at all
     *        (see {@link #awaitWatchers(Duration)})
     * @return how the wait ended: every tracked watcher acknowledged the newest generation, or
     *         the timeout expired
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public WaitResult awaitLatestGeneration(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + Watcher.timeoutNanos(timeout);
        while (true) {
            WaitResult w = await(deadline - System.nanoTime(), false);
            if (w.outcome() != WaitResult.Outcome.CALLER_OUTDATED) {
                return w;
            }
            catchUp();
        }
    }

    /**
     * {@link #awaitLatestGeneration(Duration)} without a time limit.
     *
     * @return how the wait ended: every tracked watcher acknowledged the newest generation
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public WaitResult awaitLatestGeneration() throws InterruptedException {
        while (true) {
            WaitResult w = await(0, true);
            if (w.outcome() != WaitResult.Outcome.CALLER_OUTDATED) {
                return w;
            }
            catchUp();
        }
    }

    @Override
    public void close() {
        own.close();
    }

    /** Empty where the driver does not report its counts, or reading them failed. */
    private OptionalInt outdatedNow() {
        try {
            return device.counts().map(c -> OptionalInt.of(c.outdatedWatchers())).orElse(OptionalInt.empty());
        } catch (SysgenidException e) {
            return OptionalInt.empty();
        }
    }
}
