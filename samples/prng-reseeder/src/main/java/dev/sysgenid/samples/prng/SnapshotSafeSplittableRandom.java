/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A fast, non-cryptographic generator for IDs, sampling and jitter (a {@link SplittableRandom})
 * that reseeds itself from the OS when the system generation moves, so that two clones of one
 * VM snapshot stop producing the same IDs.
 *
 * <p>Every {@link #nextLong()} (and every other method of {@link RandomGenerator}, which all
 * draw through it) loads the counter once; if it moved since the last seed, the generator is
 * first replaced by one seeded with 8 bytes read from {@code /dev/urandom}. In the {@link ProtectionState#UNSUPPORTED} state it
 * is a plain SplittableRandom; in {@link ProtectionState#FAILED} it reseeds on every call.
 *
 * <p>Not thread-safe, like SplittableRandom: give each thread its own (the cost is one object
 * and one 8-byte read). Not for keys or tokens: use {@code SecureRandom} for those.
 */
public final class SnapshotSafeSplittableRandom implements RandomGenerator {

    private final GenerationGuard guard;
    private final OsEntropy entropy;
    private SplittableRandom random;
    private int seededAt;
    private long reseeds;

    /**
     * A generator seeded from the OS, watching {@code guard}.
     *
     * @param guard the device check; stays the caller's to close (after this generator's last use)
     */
    public SnapshotSafeSplittableRandom(GenerationGuard guard) {
        this(guard, new OsEntropy(System::nanoTime), null);
    }

    /**
     * A generator with a fixed seed, watching {@code guard}: two of them model two clones of
     * one memory image (identical until the generation moves). For tests and the demo.
     */
    SnapshotSafeSplittableRandom(GenerationGuard guard, long seed) {
        this(guard, new OsEntropy(System::nanoTime), seed);
    }

    private SnapshotSafeSplittableRandom(GenerationGuard guard, OsEntropy entropy, Long seed) {
        this.guard = Objects.requireNonNull(guard, "guard");
        this.entropy = entropy;
        this.seededAt = guard.generation();
        this.random = new SplittableRandom(seed != null ? seed : entropy.drawLong());
    }

    @Override
    public long nextLong() {
        if (guard.state() == ProtectionState.FAILED || guard.state() == ProtectionState.OPENING) {
            reseed(seededAt);
            return random.nextLong();
        }
        int generation = guard.generation();
        if (generation != seededAt) {
            reseed(generation);
        }
        return random.nextLong();
    }

    /** {@return how many times this generator has reseeded from the OS} */
    public long reseeds() {
        return reseeds;
    }

    private void reseed(int generation) {
        random = new SplittableRandom(entropy.drawLong());
        seededAt = generation;
        reseeds++;
    }
}
