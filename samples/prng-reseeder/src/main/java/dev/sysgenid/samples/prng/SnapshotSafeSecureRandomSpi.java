/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.security.DrbgParameters;
import java.security.SecureRandom;
import java.security.SecureRandomParameters;
import java.security.SecureRandomSpi;

/**
 * A {@code SecureRandom} engine that wraps one of the SUN provider's generators (DRBG or
 * SHA1PRNG) and reseeds it from the OS when the system generation moves, before it produces
 * output.
 *
 * <p><b>How it reseeds.</b> A DRBG delegate gets an SP 800-90A reseed,
 * {@code reseed(DrbgParameters.reseed(false, fresh))}: the DRBG pulls new entropy from its own
 * source (the JDK seed generator, {@code securerandom.source}) and mixes in {@code fresh}, 32
 * bytes read from {@code /dev/urandom} at that moment as additional input. The state only ever
 * gains entropy, the instance and its parameters stay, and freshness does not depend on how the
 * JDK's seed source is configured. Prediction resistance on every call would cost a kernel read
 * per call; it is only needed at a generation change, which is exactly when this reseeds.
 * {@code getInstanceStrong()} was not used: on Linux it reads {@code /dev/random}, which may
 * block early in boot. Other delegates (SHA1PRNG) get {@code setSeed(fresh)}, which mixes the
 * bytes into their state.
 *
 * <p><b>Two paths.</b> In-line: every {@code nextBytes} loads the counter once (one load, as
 * AWS-LC's consumer does); if it differs from the generation this instance was seeded at, it
 * reseeds before drawing. Eager: the provider's watcher on the device's epoll loop reseeds every live instance
 * as soon as the counter moves (see {@link ReseedCoordinator}), so the first call after a
 * restore finds the instance already reseeded and pays one load.
 *
 * <p><b>Thread-safety.</b> Registered with {@code ThreadSafe=true}: {@code SecureRandom} does not
 * lock around it. The delegates are thread-safe themselves (the SUN DRBG and SHA1PRNG lock
 * internally). A reseed runs under this instance's lock and is done once per generation, by
 * whichever thread or path gets there first. Outputs never repeat across a reseed: the
 * delegate's state only moves forward (a reseed mixes into it, a draw advances it, both under
 * the delegate's own lock), and a call that saw a new generation draws only after the reseed
 * for it. What no generator can fix: bytes already drawn when the snapshot was taken are in
 * every clone's memory; output drawn between the restore and the bump that reports it (the
 * hypervisor's notification is asynchronous: 0.3 to 0.6 s after resume in this project's QEMU
 * guest) comes from the old state; and a call whose load came just before the bump draws from
 * the old state too. A second load after the draw would only narrow that last window from
 * about a microsecond, inside the first one of about half a second, so there is none. The
 * overseer's quiesce, restore, wait workflow covers all three.
 */
final class SnapshotSafeSecureRandomSpi extends SecureRandomSpi {

    private static final long serialVersionUID = 1L;
    private static final int FRESH_BYTES = 32;

    private final transient SecureRandom delegate;
    private final transient ReseedCoordinator coordinator;
    private final transient boolean drbg;
    private final transient Object reseedLock = new Object();
    /** The generation the delegate was last seeded for. */
    private transient volatile int seededAt;

    /**
     * Wraps {@code delegate}, taken as seeded for the current generation. Package-private: the
     * provider builds instances, and tests build clones (two instances around identically
     * seeded delegates, as two restores of one memory image would hold).
     */
    SnapshotSafeSecureRandomSpi(SecureRandom delegate, ReseedCoordinator coordinator) {
        super(delegate.getParameters());
        this.delegate = delegate;
        this.coordinator = coordinator;
        this.drbg = delegate.getParameters() instanceof DrbgParameters.Instantiation;
        this.seededAt = coordinator.guard().generation();
        coordinator.register(this);
    }

    @Override
    protected void engineNextBytes(byte[] bytes) {
        GenerationGuard guard = coordinator.guard();
        if (guard.state() == ProtectionState.FAILED) {
            reseedNow(ReseedCoordinator.Cause.EVERY_CALL);
            delegate.nextBytes(bytes);
            return;
        }
        if (guard.generation() != seededAt) {
            reseedIfMoved(ReseedCoordinator.Cause.INLINE);
        }
        delegate.nextBytes(bytes);
    }

    @Override
    protected void engineNextBytes(byte[] bytes, SecureRandomParameters params) {
        GenerationGuard guard = coordinator.guard();
        if (guard.state() == ProtectionState.FAILED) {
            reseedNow(ReseedCoordinator.Cause.EVERY_CALL);
            delegate.nextBytes(bytes, params);
            return;
        }
        if (guard.generation() != seededAt) {
            reseedIfMoved(ReseedCoordinator.Cause.INLINE);
        }
        delegate.nextBytes(bytes, params);
    }

    @Override
    protected void engineSetSeed(byte[] seed) {
        delegate.setSeed(seed);
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
            if (seededAt == current) {
                return;
            }
            reseedDelegate();
            seededAt = current;
        }
        coordinator.count(cause);
    }

    private void reseedNow(ReseedCoordinator.Cause cause) {
        synchronized (reseedLock) {
            reseedDelegate();
        }
        coordinator.count(cause);
    }

    private void reseedDelegate() {
        byte[] fresh = coordinator.entropy().draw(FRESH_BYTES);
        if (drbg) {
            try {
                delegate.reseed(DrbgParameters.reseed(false, fresh));
                return;
            } catch (UnsupportedOperationException e) {
                // instantiated with Capability.NONE: fall through to mixing the bytes in
            }
        }
        delegate.setSeed(fresh);
    }
}
