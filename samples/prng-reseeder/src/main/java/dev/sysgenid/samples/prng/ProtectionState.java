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
     * Nothing exists at the device path (module not loaded). Fail-open: the provider
     * registers no service, so the JVM behaves exactly as without it, and a
     * {@link SnapshotSafeSplittableRandom} is a plain SplittableRandom; neither is
     * snapshot-safe. Chosen because a machine without the device is one that nobody
     * snapshots with this project's tooling. Only the absence of the path gives this state.
     */
    UNSUPPORTED,
    /**
     * Something exists at the device path but could not be used (permission denied, a node
     * with no driver behind it, not a sysgenid device, an mmap failure, native access refused
     * or not linkable). That machine is meant to be snapshot-safe, so the generators stay safe
     * the slow way: they reseed from the OS before every output; the provider logs a WARNING
     * at once and tries the open again later.
     */
    FAILED
}
