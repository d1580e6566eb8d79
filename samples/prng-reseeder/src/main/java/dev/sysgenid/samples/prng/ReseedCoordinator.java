/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.GenerationListener;
import dev.sysgenid.LoopRegistration;
import dev.sysgenid.SysgenidException;
import dev.sysgenid.Watcher;
import dev.sysgenid.WatcherClosedException;

/**
 * What one provider's generators share: the {@link GenerationGuard} (opened on first use, never
 * while the JDK is still loading the provider list), the OS entropy, the counters, the live
 * generators, and the eager path, a watcher on the device's epoll loop that reseeds every live
 * generator as soon as the counter moves.
 *
 * <p>Opening the guard loads JNA, which creates a temporary file, which draws from a
 * {@code SecureRandom}: with this provider installed first that is a call back into this
 * class on the same thread. The re-entrant call is answered with a provisional guard (state
 * {@code UNSUPPORTED}, generation 0) for that one generator, which switches to the real guard
 * on its next call (and mixes fresh OS entropy in then, as every new generator does). The
 * other way round happens too: when the application itself loads the core first, JNA's
 * temporary file brings the first {@code SecureRandom} here while JNA's own classes are still
 * being initialised on this thread, and opening the guard fails with a {@link LinkageError}.
 * Only then (a static initialiser of JNA or of the core is on this thread's stack) is that
 * answer provisional too; any other native failure is final: {@code FAILED}, logged at
 * WARNING at once.
 *
 * <p>A {@code FAILED} guard is not kept for the JVM's life: the open is tried again on a
 * caller's thread, first after {@value #FIRST_RETRY_MILLIS} ms, then at doubling intervals up to
 * {@value #MAX_RETRY_MILLIS} ms, so a transient failure of the first open (the node created a
 * moment later, a permission fixed) ends the slow mode.
 *
 * <p>Locking: no lock is held while the guard is opened. Opening loads JNA, and loading JNA
 * can wait for a class that another thread is initialising (JNA's {@code Native}, the JDK's
 * {@code File.TempDirectory}) while that thread, inside the initialiser, asks for its first
 * {@code SecureRandom}: had it to wait for the opener, the two would deadlock. So one thread
 * opens ({@link #opening}) and every other caller meanwhile gets the provisional guard and
 * goes on; its generator mixes fresh entropy in on its first call after the guard is known.
 * {@code this} guards the eager registration; {@link #live} is guarded by itself. The eager listener runs on the loop thread of the guard's own device and
 * never throws into that loop: a generator whose reseed fails is logged and left to its own
 * in-line check, and the loop keeps serving every other watcher of the device.
 */
final class ReseedCoordinator {

    /** Which path paid for a reseed. */
    enum Cause { FIRST_DRAW, INLINE, EAGER, EVERY_CALL }

    /**
     * How many re-entrant opens (made while JNA initialises on the same thread) may fail before
     * that is taken as final: enough for the few calls JNA's own initialisation makes.
     */
    private static final int NATIVE_ATTEMPTS = 16;
    static final long FIRST_RETRY_MILLIS = 1_000;
    static final long MAX_RETRY_MILLIS = 60_000;

    private static final System.Logger LOG = System.getLogger("dev.sysgenid.samples.prng");

    private final Supplier<GenerationGuard> opener;
    private final boolean eager;
    private final boolean trackEager;
    private final OsEntropy entropy = new OsEntropy();
    private final LongAdder instances = new LongAdder();
    private final LongAdder firstDraw = new LongAdder();
    private final LongAdder inline = new LongAdder();
    private final LongAdder eagerCount = new LongAdder();
    private final LongAdder everyCall = new LongAdder();
    /** Live generators, weakly held so the eager path never keeps one alive. */
    private final Set<SnapshotSafeSecureRandomSpi> live = Collections.newSetFromMap(new WeakHashMap<>());
    private final GenerationGuard provisional = GenerationGuard.provisional();

    private volatile GenerationGuard guard;
    /** The thread opening (or reopening) the guard, if any; the others never wait for it. */
    private final AtomicReference<Thread> opening = new AtomicReference<>();
    /** When a FAILED guard is next reopened (System.nanoTime); meaningful only while FAILED. */
    private volatile long retryAt;
    private long retryMillis = FIRST_RETRY_MILLIS; // guarded by opening
    private int nativeFailures; // guarded by opening
    private LoopRegistration eagerRegistration; // guarded by this

    /**
     * @param opener opens the guard on first use
     * @param eager whether to reseed from a watcher on the device's epoll loop
     * @param trackEager whether that watcher is tracked (the overseer's wait then covers the reseed)
     */
    ReseedCoordinator(Supplier<GenerationGuard> opener, boolean eager, boolean trackEager) {
        this.opener = opener;
        this.eager = eager;
        this.trackEager = trackEager;
    }

    /**
     * The guard, opened on first call; see the class comment for the re-entrant case and for
     * the retry of a failed open.
     */
    GenerationGuard guard() {
        GenerationGuard g = guard;
        if (g == null) {
            return resolve();
        }
        if (g.state() == ProtectionState.FAILED && System.nanoTime() - retryAt >= 0) {
            return retry(g);
        }
        return g;
    }

    private GenerationGuard resolve() {
        if (!opening.compareAndSet(null, Thread.currentThread())) {
            GenerationGuard g = guard;
            return g != null ? g : provisional; // being opened, on this thread or another: see the class comment
        }
        try {
            if (guard != null) {
                return guard;
            }
            GenerationGuard g = opener.get();
            if (g.nativeAccessFailed() && nativeLayerInitialisingOnThisThread() && ++nativeFailures < NATIVE_ATTEMPTS) {
                return provisional; // see the class comment: try again on a later call
            }
            scheduleRetry();
            guard = g;
            LOG.log(g.state() == ProtectionState.FAILED ? Level.WARNING : Level.INFO, "SnapshotSafe: " + g.describe());
            SecurityPropertiesCheck.warnIfProvidersWereDropped(LOG);
            if (eager && g.state() == ProtectionState.ACTIVE) {
                startEager(g.device().orElseThrow());
            }
            return g;
        } finally {
            opening.set(null);
        }
    }

    private GenerationGuard retry(GenerationGuard failed) {
        if (!opening.compareAndSet(null, Thread.currentThread())) {
            return failed; // another thread is retrying (or this one re-entered): keep reseeding on every call
        }
        try {
            if (guard != failed || System.nanoTime() - retryAt < 0) {
                return guard;
            }
            GenerationGuard g = opener.get();
            if (g.state() != ProtectionState.ACTIVE) {
                g.close();
                retryMillis = Math.min(retryMillis * 2, MAX_RETRY_MILLIS);
                scheduleRetry();
                return failed;
            }
            guard = g;
            LOG.log(Level.INFO, "SnapshotSafe: recovered from the failed open: " + g.describe());
            if (eager) {
                startEager(g.device().orElseThrow());
            }
            return g;
        } finally {
            opening.set(null);
        }
    }

    private void scheduleRetry() {
        retryAt = System.nanoTime() + retryMillis * 1_000_000L;
    }

    /** A static initialiser of JNA or of the core on this thread's stack: see the class comment. */
    private static boolean nativeLayerInitialisingOnThisThread() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(f -> f.getMethodName().equals("<clinit>")
                && (f.getClassName().startsWith("com.sun.jna.") || f.getClassName().startsWith("dev.sysgenid."))));
    }

    private synchronized void startEager(GenerationDevice device) {
        Watcher watcher = null;
        try {
            watcher = device.openWatcher();
            if (trackEager) {
                watcher.setTracking(true);
            }
            // Runnable::run: the listener runs on the loop thread of the guard's device; it only
            // reads a few bytes from the kernel per generator and never blocks for long.
            eagerRegistration = device.loop().register(watcher, Runnable::run, new GenerationListener() {
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
            if (watcher != null) {
                watcher.close();
            }
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
