/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.SecureRandomParameters;
import java.security.SecureRandomSpi;

/**
 * A {@code SecureRandom} engine that wraps one of the SUN provider's generators (DRBG or
 * SHA1PRNG) and reseeds it from the OS when the system generation moves, before it produces
 * output.
 *
 * <p><b>A new instance is not yet seeded for the current generation.</b> SUN's DRBG and an
 * unseeded SHA1PRNG instantiate lazily, on their first draw, from state held in the JDK's
 * memory that every clone of a snapshot shares (the process-wide DRBG seeder and nonce counter,
 * the SHA1PRNG seeder). So before its first output every instance mixes fresh OS entropy in,
 * exactly as on a generation change. The one exception is documented SHA1PRNG behaviour: a
 * SHA1PRNG seeded by the caller ({@code setSeed}) before its first output keeps the
 * deterministic sequence of that seed until the generation moves. A DRBG seeded that way (as
 * {@code new SecureRandom(seed)} does when this provider is the default) still gets the fresh
 * entropy: the stock default, NativePRNG, is not deterministic either.
 *
 * <p><b>How it reseeds.</b> A DRBG delegate gets an SP 800-90A reseed,
 * {@code reseed(DrbgParameters.reseed(false, input))}: the DRBG takes entropy input from the
 * JDK's internal seeder (itself a DRBG, seeded once per JVM from {@code securerandom.source}
 * and in memory ever after, so the same in every clone) and mixes in {@code input} as
 * additional input: 32 bytes read from {@code /dev/urandom} at that moment, the generation and
 * {@code System.nanoTime()}. Freshness therefore comes from the kernel's RNG (see the README for
 * when a clone's kernel RNG differs from its sibling's), never from {@code securerandom.source}.
 * Prediction resistance on every call would cost a kernel read per call; it is only needed at a
 * generation change, which is exactly when this reseeds. Other delegates (SHA1PRNG) get
 * {@code setSeed(input)}, which mixes the bytes into their state.
 *
 * <p><b>Two paths.</b> In-line: every {@code nextBytes} loads the counter before the draw; if
 * it differs from the generation this instance was seeded at, it reseeds before drawing; and it
 * loads it again after the draw: if it moved during the draw, the output is thrown away,
 * the instance reseeds and draws again (as AWS-LC does), so no output is returned that was
 * drawn across a change the counter already reported. Eager: the provider's watcher on the
 * device's epoll loop reseeds every live instance as soon as the counter moves (see
 * {@link ReseedCoordinator}), so the first call after a restore finds the instance already
 * reseeded and pays two loads.
 *
 * <p><b>States.</b> {@code ACTIVE}: as above. {@code FAILED}: a reseed before every output.
 * {@code UNSUPPORTED} (no device; the provider then registers no services, so only an instance
 * asked for during the provider's own start-up is in this state): the wrapped generator, as is.
 *
 * <p><b>Thread-safety.</b> Registered with {@code ThreadSafe=true}: {@code SecureRandom} does not
 * lock around it. The delegates are thread-safe themselves (the SUN DRBG and SHA1PRNG lock
 * internally). A reseed runs under this instance's lock and is done once per generation, by
 * whichever thread or path gets there first. Outputs never repeat across a reseed: the
 * delegate's state only moves forward (a reseed mixes into it, a draw advances it, both under
 * the delegate's own lock), and a call that saw a new generation draws only after the reseed
 * for it. What no generator can fix: bytes already drawn when the snapshot was taken are in
 * every clone's memory, and output drawn between the restore and the bump that reports it (the
 * hypervisor's notification is asynchronous: 0.3 to 0.6 s after resume in this project's QEMU
 * guest) comes from the old state. The overseer's quiesce, restore, wait workflow covers that.
 *
 * <p><b>Serialization.</b> The wrapped generator is never serialized (its state in a second
 * process is the clone problem itself): a deserialized instance is a new one of the same
 * algorithm, from the installed provider (or a provider configured as the JDK would load it),
 * mixing fresh OS entropy in before its first output.
 */
final class SnapshotSafeSecureRandomSpi extends SecureRandomSpi {

    private static final long serialVersionUID = 2L;

    private final transient SecureRandom delegate;
    private final transient ReseedCoordinator coordinator;
    private final transient boolean drbg;
    private final transient Object reseedLock = new Object();
    /** The algorithm, which is all a serialized instance keeps. */
    private final String algorithm;
    /** The generation the delegate was last seeded for; meaningful once {@link #seeded}. */
    private transient volatile int seededAt;
    /**
     * Whether the delegate holds fresh OS entropy (or a caller's explicit SHA1PRNG seed) for
     * {@link #seededAt}. False for a new instance: see the class comment.
     */
    private transient volatile boolean seeded;

    /**
     * Wraps {@code delegate}, not yet seeded for the current generation (see the class
     * comment). Package-private: the provider builds instances, and tests build clones (two
     * instances around identically seeded delegates, as two restores of one memory image hold).
     */
    SnapshotSafeSecureRandomSpi(SecureRandom delegate, ReseedCoordinator coordinator) {
        super(delegate.getParameters());
        this.delegate = delegate;
        this.coordinator = coordinator;
        this.algorithm = delegate.getAlgorithm();
        this.drbg = delegate.getParameters() instanceof DrbgParameters.Instantiation;
        this.seededAt = coordinator.guard().generation();
        coordinator.register(this);
    }

    @Override
    protected void engineNextBytes(byte[] bytes) {
        engineNextBytes(bytes, null);
    }

    @Override
    protected void engineNextBytes(byte[] bytes, SecureRandomParameters params) {
        GenerationGuard guard = coordinator.guard();
        switch (guard.state()) {
            case ACTIVE -> {
                int drawnAt = guard.generation();
                if (!seeded || drawnAt != seededAt) {
                    reseedIfMoved(seeded ? ReseedCoordinator.Cause.INLINE : ReseedCoordinator.Cause.FIRST_DRAW);
                    drawnAt = seededAt;
                }
                draw(bytes, params);
                // a change during the draw: the output may come from the old state, so redo it
                while (guard.generation() != drawnAt) {
                    reseedIfMoved(ReseedCoordinator.Cause.INLINE);
                    drawnAt = seededAt;
                    draw(bytes, params);
                }
            }
            case FAILED -> {
                reseedNow(ReseedCoordinator.Cause.EVERY_CALL);
                draw(bytes, params);
            }
            case UNSUPPORTED -> draw(bytes, params);
        }
    }

    private void draw(byte[] bytes, SecureRandomParameters params) {
        if (params == null) {
            delegate.nextBytes(bytes);
        } else {
            delegate.nextBytes(bytes, params);
        }
    }

    /**
     * The caller's seed goes to the delegate. A SHA1PRNG seeded before its first output then
     * counts as seeded for the current generation, which keeps its documented deterministic
     * sequence; see the class comment.
     */
    @Override
    protected void engineSetSeed(byte[] seed) {
        synchronized (reseedLock) {
            delegate.setSeed(seed);
            if (!drbg && !seeded) {
                seededAt = coordinator.guard().generation();
                seeded = true;
            }
        }
    }

    @Override
    protected byte[] engineGenerateSeed(int numBytes) {
        return delegate.generateSeed(numBytes);
    }

    @Override
    protected void engineReseed(SecureRandomParameters params) {
        delegate.reseed(params);
    }

    @Override
    protected SecureRandomParameters engineGetParameters() {
        return delegate.getParameters();
    }

    @Override
    public String toString() {
        return "SnapshotSafe(" + delegate.getAlgorithm() + ")";
    }

    /**
     * Reseeds for the current generation unless that was done already; counts it under
     * {@code cause}. The generation is read under the lock, so an instance is reseeded at most
     * once per generation and never goes back to an older one, whichever path or thread came
     * first (a caller that saw an older value than the current one gets the newer reseed).
     */
    void reseedIfMoved(ReseedCoordinator.Cause cause) {
        synchronized (reseedLock) {
            int current = coordinator.guard().generation();
            if (seeded && seededAt == current) {
                return;
            }
            reseedDelegate(current);
            seededAt = current;
            seeded = true;
        }
        coordinator.count(cause);
    }

    private void reseedNow(ReseedCoordinator.Cause cause) {
        synchronized (reseedLock) {
            reseedDelegate(coordinator.guard().generation());
            seeded = true;
        }
        coordinator.count(cause);
    }

    private void reseedDelegate(int generation) {
        byte[] input = coordinator.entropy().reseedInput(generation);
        if (drbg) {
            try {
                delegate.reseed(DrbgParameters.reseed(false, input));
                return;
            } catch (UnsupportedOperationException e) {
                // instantiated with Capability.NONE: fall through to mixing the bytes in
            }
        }
        delegate.setSeed(input);
    }

    /** A deserialized instance: a new generator of the same algorithm; see the class comment. */
    private Object readResolve() throws ObjectStreamException {
        SnapshotSafeProvider provider = SnapshotSafeProvider.installed().orElseGet(SnapshotSafeProvider::new);
        try {
            return provider.newSpi(algorithm);
        } catch (NoSuchAlgorithmException e) {
            InvalidObjectException failure = new InvalidObjectException("cannot recreate SnapshotSafe " + algorithm
                    + ": " + e.getMessage());
            failure.initCause(e);
            throw failure;
        }
    }
}
