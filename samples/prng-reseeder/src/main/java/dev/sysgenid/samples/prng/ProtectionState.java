/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

/**
 * Whether a {@link GenerationGuard} can tell that memory was cloned. Exactly one of three,
 * fixed when the guard is opened and reported once in a log line.
 */
public enum ProtectionState {
    /**
     * The device is mapped: every check is one load of the generation counter, and a change
     * reseeds from the OS before the next output.
     */
    ACTIVE,
    /**
     * There is no generation device on this machine (module not loaded). Fail-open: the
     * generators behave exactly like the ones they wrap (a plain DRBG, a plain
     * SplittableRandom) and are not snapshot-safe. Chosen because a machine without the
     * device is one that nobody snapshots with this project's tooling.
     */
    UNSUPPORTED,
    /**
     * The device is there but could not be used (permission denied, not a sysgenid device, an
     * mmap failure). That machine is meant to be snapshot-safe, so the generators stay safe
     * the slow way: they reseed from the OS before every output.
     */
    FAILED
}
