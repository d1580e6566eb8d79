/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * A snapshot-safe {@code SecureRandom}: the {@code SnapshotSafe} JCA provider, whose generators
 * reseed from the operating system when the system generation ({@code /dev/sysgenid}) moves,
 * so that two clones of one VM snapshot never hand out the same random bytes or UUIDs.
 *
 * <p>{@link dev.sysgenid.samples.prng.SnapshotSafeProvider} is installed without a change to the
 * application's code, by a {@code java.security} properties file or by
 * {@link dev.sysgenid.samples.prng.SnapshotSafeAgent} ({@code -javaagent}); without the device it
 * behaves exactly as the JDK's own generators.
 * {@link dev.sysgenid.samples.prng.SnapshotSafeSplittableRandom} is a fast non-cryptographic
 * generator (IDs, sampling) that reseeds itself the same way, and
 * {@link dev.sysgenid.samples.prng.GenerationGuard} is the in-line check both are built on.
 */
package dev.sysgenid.samples.prng;
