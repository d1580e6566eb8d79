/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

/**
 * Counters of a {@link SnapshotSafeProvider}, for tests, dashboards and the clone demo. Each
 * is monotonic over the provider's life; a snapshot is taken without stopping the generators,
 * so the fields may come from slightly different instants.
 *
 * @param instancesCreated SecureRandom instances the provider has handed out
 * @param firstDrawSeeds fresh OS entropy mixed into a new instance before its first output (a
 *        new wrapped generator is not taken as seeded for the current generation: its first
 *        instantiation draws on JDK state that every clone shares)
 * @param inlineReseeds reseeds done by a caller's own check of the counter (the just-in-time
 *        path: the first call after a change paid for it)
 * @param eagerReseeds reseeds done by the provider's watcher on the device's epoll loop, before
 *        any caller asked
 * @param everyCallReseeds reseeds done because the guard is {@link ProtectionState#FAILED}
 */
public record ReseedStatistics(long instancesCreated, long firstDrawSeeds, long inlineReseeds, long eagerReseeds, long everyCallReseeds) {
}
