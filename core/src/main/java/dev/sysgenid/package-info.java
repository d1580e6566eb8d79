/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * The System Generation ID device ({@code /dev/sysgenid}) from Java: a system-wide 32-bit counter
 * that moves when a VM or container snapshot is restored or cloned, so that a program can
 * regenerate what must be unique (keys, nonces, PRNG state).
 *
 * <p>{@link dev.sysgenid.GenerationDevice} is the entry point, on the real device or on a
 * {@link dev.sysgenid.SimulatedDevice} with the same semantics. It hands out
 * {@link dev.sysgenid.GenerationProbe}s (the counter mapped into memory: a check is one load),
 * {@link dev.sysgenid.Watcher}s (one file descriptor each, for event-driven code: read the new
 * generation, acknowledge it once re-keyed), an {@link dev.sysgenid.EpollLoop} (one thread per
 * device that dispatches every registered watcher to its {@link dev.sysgenid.GenerationListener})
 * and {@link dev.sysgenid.Overseer}s (the orchestrator's side: move the counter, wait until
 * every tracked watcher acknowledged).
 *
 * <p>Generations are unsigned 32-bit values held in an {@code int}: compare them with {@code ==}
 * only. Every failure is a {@link dev.sysgenid.SysgenidException} subtype whose message says what
 * to do; a stale acknowledgement is a result ({@link dev.sysgenid.AckResult#STALE}), not an error.
 * The package {@code dev.sysgenid.internal} is not API.
 */
package dev.sysgenid;
