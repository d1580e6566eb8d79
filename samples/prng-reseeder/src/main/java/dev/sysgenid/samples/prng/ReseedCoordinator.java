/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.GenerationListener;
import dev.sysgenid.LoopRegistration;
import dev.sysgenid.SysgenidException;
import dev.sysgenid.WatcherClosedException;

/**
 * What one provider's generators share: the {@link GenerationGuard}, the OS entropy, the
 * counters, the live generators, and the eager path, a watcher on the device's epoll loop that
 * reseeds every live generator as soon as the counter moves.
 *
 * <p><b>The device is opened on a thread of its own, never on a caller's.</b> Opening loads
 * JNA; loading JNA runs class initialisers ({@code com.sun.jna.Native}) that create a
 * temporary file, and a temporary file can need the JDK's {@code File.TempDirectory}, whose
 * initialiser asks for a {@code SecureRandom}: with this provider first, that is a call back
 * here, from a thread that may hold a class-initialisation lock the opener needs. A caller must
 * therefore never wait for the open. The first call starts the open on a daemon thread
 * ({@code sysgenid-prng-open}) and returns at once; until the open has finished every caller
 * gets the {@linkplain GenerationGuard#pending(String) pending guard}, whose state is
 * {@code OPENING}: its generators reseed from the OS before every output (as in
 * {@code FAILED}), so nothing drawn
 * meanwhile can repeat across clones. The same holds for any call made while JNA initialises,
 * on any thread.
 *
 * <p>A {@code FAILED} guard is not kept for the JVM's life: the open is tried again on that
 * same daemon thread, first {@value #FIRST_RETRY_MILLIS} ms after the failure, then at doubling
 * intervals up to {@value #MAX_RETRY_MILLIS} ms, so a transient failure of the first open (the
 * node created a moment later, a permission fixed) ends the slow mode.
 *
 * <p>Locking: no lock is held while the guard is opened, and no caller waits for it
 * ({@link #awaitOpen} excepted, which only {@code protectionState()} and tests call).
 * {@link #opening} says whether an open thread is running; {@code this} guards the eager
 * registration and is the monitor {@link #awaitOpen} waits on; {@link #live} is guarded by
 * itself. The eager listener runs on the loop thread of the guard's own device and never
 * throws into that loop: a generator whose reseed fails is logged and left to its own in-line
 * check, and the loop keeps serving every other watcher of the device.
 */
final class ReseedCoordinator {

    /** Which path paid for a reseed. */
    enum Cause { FIRST_DRAW, INLINE, EAGER, EVERY_CALL }

    static final long FIRST_RETRY_MILLIS = 1_000;
    static final long MAX_RETRY_MILLIS = 60_000;

    private static final System.Logger LOG = System.getLogger("dev.sysgenid.samples.prng");

    private final Supplier<GenerationGuard> opener;
    private final boolean eager;
    private final boolean trackEager;
    private final OsEntropy entropy;
    private final LongAdder instances = new LongAdder();
    private final LongAdder firstDraw = new LongAdder();
    private final LongAdder inline = new LongAdder();
    private final LongAdder eagerCount = new LongAdder();
    private final LongAdder everyCall = new LongAdder();
    /** Live generators, weakly held so the eager path never keeps one alive. */
    private final Set<SnapshotSafeSecureRandomSpi> live = Collections.newSetFromMap(new WeakHashMap<>());
    private final GenerationGuard pending = GenerationGuard.pending("the generation device");

    /** The guard once the first open has finished; null before. */
    private volatile GenerationGuard guard;
    /** Whether the open thread is running (first open or a retry). */
    private final AtomicBoolean opening = new AtomicBoolean();
    /** When a FAILED guard is next reopened (System.nanoTime); meaningful only while FAILED. */
    private volatile long retryAt;
    private long retryMillis = FIRST_RETRY_MILLIS; // written only by the open thread
    private LoopRegistration eagerRegistration; // guarded by this

    /**
     * @param opener opens the guard, on the open thread
     * @param eager whether to reseed from a watcher on the device's epoll loop
     * @param trackEager whether that watcher is tracked (the overseer's wait then covers the reseed)
     * @param entropy where reseeds read the OS's bytes
     */
    ReseedCoordinator(Supplier<GenerationGuard> opener, boolean eager, boolean trackEager, OsEntropy entropy) {
        this.opener = opener;
        this.eager = eager;
        this.trackEager = trackEager;
        this.entropy = entropy;
    }

    /**
     * The guard: the pending one (OPENING, see the class comment) until the open thread has
     * finished; never waits. Starts the open thread on the first call, and again when a
     * FAILED guard is due for a retry.
     */
    GenerationGuard guard() {
        GenerationGuard g = guard;
        if (g == null) {
            startOpen();
            g = guard;
            return g != null ? g : pending;
        }
        if (g.state() == ProtectionState.FAILED && System.nanoTime() - retryAt >= 0) {
            startOpen();
        }
        return g;
    }

    /**
     * Waits up to {@code timeout} for an open in progress (starting it if none was), then
     * returns {@link #guard()}: the pending guard if it has not finished by then.
     */
    GenerationGuard awaitOpen(Duration timeout) {
        guard();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (guard == null || opening.get()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return guard();
    }

    /** Starts the open thread unless it is running; see the class comment. */
    void startOpen() {
        if (!opening.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(this::open, "sysgenid-prng-open");
        t.setDaemon(true);
        try {
            t.start();
        } catch (OutOfMemoryError e) { // no thread to be had: stay pending or FAILED, try on a later call
            opening.set(false);
        }
    }

    /** The open thread's work: the first open, or a retry of a failed one. */
    private void open() {
        try {
            GenerationGuard previous = guard;
            GenerationGuard g = openGuard();
            if (previous != null && g.state() != ProtectionState.ACTIVE) {
                g.close(); // a retry that failed again: keep the first failure, try later
                retryMillis = Math.min(retryMillis * 2, MAX_RETRY_MILLIS);
                scheduleRetry();
                return;
            }
            scheduleRetry();
            guard = g;
            if (previous == null) {
                LOG.log(g.state() == ProtectionState.FAILED ? Level.WARNING : Level.INFO, "SnapshotSafe: " + g.describe());
                SecurityPropertiesCheck.warnIfProvidersWereDropped(LOG);
            } else {
                LOG.log(Level.INFO, "SnapshotSafe: recovered from the failed open: " + g.describe());
            }
            if (eager && g.state() == ProtectionState.ACTIVE) {
                startEager(g.device().orElseThrow());
            }
        } finally {
            opening.set(false);
            synchronized (this) {
                notifyAll();
            }
        }
    }

    private GenerationGuard openGuard() {
        try {
            return opener.get();
        } catch (RuntimeException | LinkageError e) {
            return GenerationGuard.failed("the generation device", new SysgenidException("opening the device failed ("
                    + e + "): see the cause; generators reseed from the OS on every call meanwhile", 0, e));
        }
    }

    private void scheduleRetry() {
        retryAt = System.nanoTime() + retryMillis * 1_000_000L;
    }

    private synchronized void startEager(GenerationDevice device) {
        try {
            // Runnable::run: the listener runs on the loop thread of the guard's device; it only
            // reads a few bytes from the kernel per generator and never blocks for long.
            eagerRegistration = device.watch(trackEager, Runnable::run, new GenerationListener() {
                @Override
                public void onGeneration(LoopRegistration registration, int generation) {
                    try {
                        reseedAll();
                    } finally {
                        // acknowledged even if a reseed failed: that generator reseeds in-line on
                        // its next call, and an overseer must not wait for it forever
                        registration.acknowledge(generation);
                    }
                }

                @Override
                public void onTerminated(SysgenidException cause) {
                    // the device was closed on purpose (its owner shut it down): nothing to report
                    Level level = cause instanceof WatcherClosedException ? Level.DEBUG : Level.WARNING;
                    LOG.log(level, "SnapshotSafe: the eager reseed stopped (" + cause.getMessage()
                            + "); the in-line check on every call still reseeds");
                }
            });
        } catch (SysgenidException e) {
            LOG.log(Level.WARNING, "SnapshotSafe: no eager reseed (" + e.getMessage()
                    + "); the in-line check on every call still reseeds");
        }
    }

    /** Reseeds every live generator for the current generation (the eager path). */
    void reseedAll() {
        List<SnapshotSafeSecureRandomSpi> targets;
        synchronized (live) {
            targets = new ArrayList<>(live);
        }
        for (SnapshotSafeSecureRandomSpi spi : targets) {
            try {
                spi.reseedIfMoved(Cause.EAGER);
            } catch (RuntimeException e) {
                // never into the device's epoll loop, which would stop serving every watcher
                LOG.log(Level.WARNING, "SnapshotSafe: the eager reseed of " + spi + " failed (" + e
                        + "); it reseeds in-line before its next output", e);
            }
        }
    }

    /** Registers a new generator for the eager path and counts it. */
    void register(SnapshotSafeSecureRandomSpi spi) {
        instances.increment();
        synchronized (live) {
            live.add(spi);
        }
    }

    OsEntropy entropy() {
        return entropy;
    }

    void count(Cause cause) {
        switch (cause) {
            case FIRST_DRAW -> firstDraw.increment();
            case INLINE -> inline.increment();
            case EAGER -> eagerCount.increment();
            case EVERY_CALL -> everyCall.increment();
        }
    }

    ReseedStatistics statistics() {
        return new ReseedStatistics(instances.sum(), firstDraw.sum(), inline.sum(), eagerCount.sum(), everyCall.sum());
    }

    /** Whether the eager watcher is registered and serving. */
    synchronized boolean eagerActive() {
        return eagerRegistration != null && !eagerRegistration.isClosed();
    }

    /** For tests: how many generators are still reachable. */
    int liveCount() {
        synchronized (live) {
            return live.size();
        }
    }
}
