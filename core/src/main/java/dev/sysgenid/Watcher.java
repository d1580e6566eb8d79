/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

import dev.sysgenid.internal.DeviceFile;
import dev.sysgenid.internal.Errno;
import dev.sysgenid.internal.LibC;
import dev.sysgenid.internal.Poll;

/**
 * One open file of the generation device: it remembers the generation it last acknowledged
 * (at open: the current one) and is <em>outdated</em> while the counter differs from it.
 *
 * <p>Guarantees:
 * <ul>
 * <li>All methods are thread-safe. The file descriptor is closed exactly once, by {@link
 *     #close()} or, if another thread is inside a call at that moment, when that call
 *     returns; it is never closed under a running call.</li>
 * <li>A stale acknowledgement (the counter moved again) is the result {@link AckResult#STALE},
 *     not an exception.</li>
 * <li>Tracking is off unless {@link #setTracking(boolean) turned on}; a tracked watcher that
 *     is outdated holds up the overseer's wait until it is acknowledged or closed.</li>
 * <li>A watcher that becomes unreachable without being closed is closed by a {@link Cleaner}
 *     (so, if tracked, it stops holding up the overseer), with a warning on the {@link
 *     System.Logger} {@code dev.sysgenid}; for a watcher that was ever tracked, the warning
 *     names the code that turned tracking on (usually right where it was opened). That happens
 *     whenever the garbage collector gets to it: close watchers yourself.</li>
 * </ul>
 * Generations are unsigned 32-bit counters held in an {@code int}: compare them with {@code ==}
 * only, never with {@code <} (they wrap).
 */
public final class Watcher implements AutoCloseable {

    /** How long a blocking read sleeps in poll(2) before it re-checks interrupts and close. */
    private static final int POLL_SLICE_MILLIS = 100;
    /**
     * Finds the caller's frame: only the frames up to it are walked, nothing is formatted. Used
     * when tracking is turned on, not at open: a walk costs about a third of an open, and only
     * an abandoned tracked watcher holds anyone up.
     */
    private static final StackWalker OPENER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final AtomicIntegerFieldUpdater<Watcher> REGISTERED =
            AtomicIntegerFieldUpdater.newUpdater(Watcher.class, "registered");
    private static final AtomicLongFieldUpdater<Watcher> ACK_WRITES =
            AtomicLongFieldUpdater.newUpdater(Watcher.class, "ackWrites");
    /** One acknowledgement write that has ended, in {@link #ackWrites}' upper half. */
    private static final long ACK_WRITE_ENDED = 1L << 32;

    private final DeviceFile file;
    /** Closes the file once: on the last release after close(), or if this watcher is abandoned. */
    private final FileCloser closer;
    private final Cleaner.Cleanable cleanable;
    /** 1 once given to an {@link EpollLoop} (see {@link #claimRegistration()}). */
    private volatile int registered;
    private final String deviceName;
    /** What this file is called in the errors of a use after close: "watcher on X", "overseer on X". */
    private final String what;
    /** Bit 0: closed. Bits 1..31: calls in progress (each adds 2). */
    private final AtomicInteger state = new AtomicInteger();
    private volatile boolean tracked;
    /** The device whose page {@link #outdatedGeneration()} checks against. */
    private final BackedDevice device;
    /**
     * The generation this file last acknowledged (written after each successful ack); before
     * the first, the one it was opened at as far as the device's mapped page told right after
     * the open; -1 while unknown (no page mapped then, or the page had moved on when an
     * acknowledgement looked right after recording itself: see {@link #acknowledge}).
     */
    private volatile long acknowledged;
    /**
     * The acknowledgement writes of this file, for the epoll loop's arm (see {@link
     * #ackWrites()}): the lower half counts the writes in progress, the upper half those that
     * ended, whatever their result.
     */
    private volatile long ackWrites;
    /** The registration this watcher serves, once given to an {@link EpollLoop}; else null. */
    private volatile LoopRegistration registration;
    /**
     * Whether the driver's poll puts an outdated file on its wait queue (ours does; the
     * production driver's does not, and a driver that could not be identified is taken not to),
     * so that an epoll registration made while outdated is woken again. Decides whether the
     * loop re-arms such a registration.
     */
    final boolean pollRegistersOutdated;

    Watcher(DeviceFile file, String deviceName, BackedDevice device, String role) {
        this.file = file;
        this.deviceName = deviceName;
        this.what = role + " on " + deviceName;
        this.device = device;
        this.pollRegistersOutdated = device != null && device.driver().profile() == DriverProfile.OURS;
        this.closer = new FileCloser(file, deviceName);
        this.cleanable = GenerationProbe.CLEANER.register(this, closer);
        // The open stored the counter in the file as its acknowledged generation; the page, read
        // after the open, shows that one or a later one. Later: the file is outdated (a bump
        // came after the open), which outdatedGeneration() tells right either way (the page
        // moved on: outdated; the page still equal: read(2) asks). See outdatedGeneration().
        this.acknowledged = device == null ? -1 : device.pageCounter();
    }

    /** The first frame outside this class: the code that turned tracking on. */
    private static StackWalker.StackFrame caller(java.util.stream.Stream<StackWalker.StackFrame> frames) {
        return frames.filter(f -> f.getDeclaringClass() != Watcher.class).findFirst().orElse(null);
    }

    /**
     * A timeout in nanoseconds, the one conversion of every timeout in this package: a negative
     * one is 0 (wait not at all), one too long for a long (292 years) is as good as that.
     */
    static long timeoutNanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            return 0;
        }
        return timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE / 2)) > 0 ? Long.MAX_VALUE / 2 : timeout.toNanos();
    }

    /**
     * The current generation if this watcher is outdated, without blocking.
     *
     * @return the current generation, or empty if this watcher is up to date
     * @throws WatcherClosedException if closed
     */
    public OptionalInt tryRead() {
        acquire();
        try {
            return readNow();
        } finally {
            release();
        }
    }

    /**
     * Blocks until this watcher is outdated and returns the current generation (at once if it
     * already is). The calling thread sleeps in poll(2) and wakes at most every 100 ms to notice
     * interrupts and {@link #close()}.
     *
     * @param timeout how long to wait at most
     * @return the current generation, or empty on timeout
     * @throws InterruptedException if the thread is interrupted while waiting
     * @throws WatcherClosedException if closed, before or during the wait
     */
    public OptionalInt read(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos(timeout);
        acquire();
        try {
            while (true) {
                OptionalInt g = readNow();
                if (g.isPresent()) {
                    return g;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return OptionalInt.empty();
                }
                int slice = (int) Math.min(POLL_SLICE_MILLIS, Math.max(1, left / 1_000_000));
                int r = Poll.pollIn(file.pollFd(), slice);
                if (r < 0 && r != -Errno.EINTR) {
                    throw Failures.of("poll", -r);
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting for a generation change");
                }
                if ((state.get() & 1) != 0) {
                    throw closedError();
                }
            }
        } finally {
            release();
        }
    }

    /**
     * Acknowledges {@code generation} for this file (the 4-byte write).
     *
     * @param generation the generation this watcher's owner re-keyed for
     * @return {@link AckResult#ACKNOWLEDGED}, or {@link AckResult#STALE} if the counter has
     *         moved past it (read again and acknowledge the newer one)
     * @throws WatcherClosedException if closed
     */
    public AckResult acknowledge(int generation) {
        acquire();
        try {
            int r;
            ACK_WRITES.getAndIncrement(this);
            try {
                r = file.write(generation, 4);
            } finally {
                ACK_WRITES.getAndAdd(this, ACK_WRITE_ENDED - 1);
            }
            if (r == 0) {
                long acked = Integer.toUnsignedLong(generation);
                acknowledged = acked;
                // Two acknowledgements can record themselves in the other order than they were
                // written (a repeat of the previous generation, slow between its write and
                // here, after the acknowledgement of the next one): the older value would then
                // pass for what the file acknowledged, and the page's newer counter for a change.
                // So look at the page after the store: if it moved on, forget the value (-1:
                // read(2) decides until the next acknowledgement). Whichever store comes last
                // either sees the page at its own value, then the one it wrote was the last
                // written (a later write needs a change first), or forgets.
                if (device != null && device.pageCounter() != acked) {
                    acknowledged = -1;
                }
                LoopRegistration reg = registration;
                if (reg != null) {
                    reg.acknowledgementWritten();
                }
                return AckResult.ACKNOWLEDGED;
            }
            if (r == -Errno.EINVAL) {
                return AckResult.STALE;
            }
            throw Failures.of("write(ack)", -r);
        } finally {
            release();
        }
    }

    /** {@return whether this watcher is outdated right now (the current generation differs)} */
    public boolean isOutdated() {
        acquire();
        try {
            int r = Poll.pollInNow(file.pollFd());
            if (r < 0) {
                throw Failures.of("poll", -r);
            }
            return r > 0;
        } finally {
            release();
        }
    }

    /**
     * Turns tracking on or off. A tracked watcher is counted by the overseer's wait while it is
     * outdated (at once, if it already is). Libraries that check lazily must not track.
     *
     * @param on true to track, false to stop
     */
    public void setTracking(boolean on) {
        acquire();
        try {
            int r = applyTracking(on);
            if (r < 0) {
                throw Failures.of("ioctl(SET_WATCHER_TRACKING)", -r);
            }
            if (on && closer.trackedAt == null) {
                closer.trackedAt = OPENER.walk(Watcher::caller);
            }
        } finally {
            release();
        }
    }

    /** {@return whether tracking is on} */
    public boolean isTracked() {
        return tracked;
    }

    /** {@return whether {@link #close()} was called} */
    public boolean isClosed() {
        return (state.get() & 1) != 0;
    }

    /**
     * Closes the file (idempotent); if it was tracked and outdated, the overseer stops waiting for
     * it. A watcher that an {@link EpollLoop} serves ends its registration as {@link
     * LoopRegistration#close()} does: no listener call starts any more, and the loop closes the fd.
     */
    @Override
    public void close() {
        endRegistration(); // first, while the file is open: it turns tracking off
        if (markClosed()) {
            // A register() that raced with the close: it looks at the closed bit after naming
            // its registration, this looks at the registration after setting the bit, so one of
            // the two sees the other.
            endRegistration();
        }
    }

    /** For the registration that owns this watcher, as it ends: the close, without ending it again. */
    void closeOwned() {
        markClosed();
    }

    /** Sets the closed bit; the file goes now, or with the last call in progress. True if this call set it. */
    private boolean markClosed() {
        while (true) {
            int s = state.get();
            if ((s & 1) != 0) {
                return false;
            }
            if (state.compareAndSet(s, s | 1)) {
                if (s == 0) {
                    closeFile();
                }
                return true;
            }
        }
    }

    private void endRegistration() {
        LoopRegistration reg = registration;
        if (reg != null) {
            reg.close();
        }
    }

    @Override
    public String toString() {
        return "Watcher[" + deviceName + (tracked ? ", tracked" : "") + (isClosed() ? ", closed" : "") + "]";
    }

    // ---- package-private: for the epoll loop and the overseer -------------------------------

    DeviceFile file() {
        return file;
    }

    /**
     * For the epoll loop, after an event on this file: the current generation if this file is
     * outdated, {@code -EAGAIN} if it is up to date, or another negative errno. When the
     * device's mapped counter differs from {@link #acknowledged} (the generation this file last
     * acknowledged, or before any acknowledgement the page as read right after the open), the
     * file is outdated: the counter moved after that acknowledgement or that look (every
     * acknowledgement goes through {@link #acknowledge}), and each move outdates every open
     * file. The answer is then the counter, with no system call, from the very first event on.
     * Otherwise (no mapped page, or the counter equal to {@link #acknowledged}, which is also
     * what a counter that wrapped around or came back looks like, and what a file outdated
     * between its open and that first look shows) the read(2) tells.
     *
     * <p>Where a driver stored a newer counter in the file at open than its page showed just
     * after (a page written after the counter, outside the lock open takes: not our driver,
     * which writes both under it), the file is up to date while the page moves on to that
     * counter: an event for that file then brings one listener call for the current generation,
     * whose acknowledgement succeeds; no change is lost.
     */
    long outdatedGeneration() {
        long acked = acknowledged;
        long now = acked < 0 ? -1 : device.pageCounter();
        return now < 0 || now == acked ? file.read(4) : now;
    }

    OptionalInt readNow() {
        long r = file.read(4);
        if (r >= 0) {
            return OptionalInt.of((int) r);
        }
        if (r == -Errno.EAGAIN) {
            return OptionalInt.empty();
        }
        throw Failures.of("read", (int) -r);
    }

    /** Marks a call in progress; throws if closed. */
    void acquire() {
        if (!tryAcquire(false)) {
            throw closedError();
        }
    }

    /**
     * Marks a call in progress, true if it did: while not closed, or ({@code evenIfClosed})
     * while the file is still open after close(), that is while another call holds it.
     */
    private boolean tryAcquire(boolean evenIfClosed) {
        while (true) {
            int s = state.get();
            if (evenIfClosed ? s == 1 : (s & 1) != 0) {
                return false;
            }
            if (state.compareAndSet(s, s + 2)) {
                return true;
            }
        }
    }

    /** Ends a call; the last one out after close() closes the file. */
    void release() {
        if (state.addAndGet(-2) == 1) {
            closeFile();
        }
    }

    /** For {@link EpollLoop#register}: true the first time only (a watcher serves one registration). */
    boolean claimRegistration() {
        return REGISTERED.compareAndSet(this, 0, 1);
    }

    /**
     * For the registration that holds this watcher, as it ends: turns tracking off even after
     * {@link #close()}, as long as the file is still open (that registration's hold keeps it open
     * until the loop releases it), so that a watcher closed as its registration ends counts for
     * no overseer once the close has returned. Where the file is gone, nothing is tracked.
     */
    void untrackWhileOpen() {
        if (!tryAcquire(true)) {
            return; // closed with no call in progress: the file is closed (or closing)
        }
        try {
            applyTracking(false);
        } finally {
            release();
        }
    }

    /** The tracking ioctl, within a call: 0 (and {@link #tracked} follows) or a negative errno. */
    private int applyTracking(boolean on) {
        int r = file.ioctl(LibC.SYSGENID_SET_WATCHER_TRACKING, on ? 1 : 0);
        if (r == 0) {
            tracked = on;
        }
        return r;
    }

    /** The typed error of a use after {@link #close()}, naming what this file is. */
    WatcherClosedException closedError() {
        return new WatcherClosedException(what);
    }

    /** For {@link EpollLoop#register}: every later successful acknowledgement tells {@code reg}. */
    void servedBy(LoopRegistration reg) {
        registration = reg;
    }

    /**
     * The acknowledgement writes so far: equal values read at two moments, with no write in
     * progress at the first ({@code (value & 0xFFFFFFFF) == 0}), mean that no acknowledgement
     * was written in between, so nothing can have made this file up to date meanwhile.
     */
    long ackWrites() {
        return ackWrites;
    }

    private void closeFile() {
        closer.closedByOwner = true;
        cleanable.clean();
    }

    /**
     * Closes the file once: through {@link Cleaner.Cleanable#clean()} when the watcher is
     * closed, or on the cleaner's thread when it became unreachable while still open (then
     * with the warning). Holds no reference to the watcher.
     */
    private static final class FileCloser implements Runnable {
        private final DeviceFile file;
        private final String deviceName;
        /** Where tracking was first turned on, or null if it never was. */
        volatile StackWalker.StackFrame trackedAt;
        volatile boolean closedByOwner;

        FileCloser(DeviceFile file, String deviceName) {
            this.file = file;
            this.deviceName = deviceName;
        }

        @Override
        public void run() {
            if (!closedByOwner) {
                StackWalker.StackFrame at = trackedAt;
                System.getLogger("dev.sysgenid").log(System.Logger.Level.WARNING, () -> "A watcher on "
                        + deviceName + " became unreachable without close(); closed it now"
                        + (at == null ? " (it was never tracked)" : " (the overseer no longer waits for it); tracking "
                                + "was turned on at " + at.toStackTraceElement())
                        + ". Close every watcher, registration and overseer you open (try-with-resources).");
            }
            file.close();
        }
    }
}
