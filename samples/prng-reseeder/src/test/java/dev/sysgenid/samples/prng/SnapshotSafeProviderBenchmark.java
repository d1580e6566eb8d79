/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import dev.sysgenid.SimulatedDevice;

/**
 * The price of the in-line check: {@code nextBytes(16)} and a {@code UUID.randomUUID()}
 * equivalent through the SnapshotSafe provider (state ACTIVE on a simulated device, whose
 * counter page is a real shared mapping, so the check is the same load as on the device) against
 * the bare SUN DRBG, in one run. The generation does not move during a measurement: this is
 * the steady-state cost every call pays. Target: at least 0.97 of the baseline's throughput.
 *
 * <p>The command is in {@code BENCHMARKS.md}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SnapshotSafeProviderBenchmark {

    private SimulatedDevice device;
    private SecureRandom bare;
    private SecureRandom snapshotSafe;

    /** One 16-byte buffer per benchmark thread, as a caller would hold. */
    @State(Scope.Thread)
    public static class Buffer {
        final byte[] bytes = new byte[16];
    }

    @Setup(Level.Trial)
    public void setUp() throws NoSuchAlgorithmException, NoSuchProviderException {
        device = SimulatedDevice.create();
        SnapshotSafeProvider provider = new SnapshotSafeProvider(() -> GenerationGuard.watching(device), true, false);
        bare = SecureRandom.getInstance("DRBG", "SUN");
        snapshotSafe = SecureRandom.getInstance("DRBG", provider);
        if (provider.protectionState() != ProtectionState.ACTIVE) {
            throw new IllegalStateException("the benchmark needs the ACTIVE state: " + provider.protectionState());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        device.close();
    }

    @Benchmark
    public byte[] bareDrbgNextBytes16(Buffer b) {
        bare.nextBytes(b.bytes);
        return b.bytes;
    }

    @Benchmark
    public byte[] snapshotSafeNextBytes16(Buffer b) {
        snapshotSafe.nextBytes(b.bytes);
        return b.bytes;
    }

    @Benchmark
    public UUID bareDrbgRandomUuid() {
        return CloneDemo.randomUuid(bare);
    }

    @Benchmark
    public UUID snapshotSafeRandomUuid() {
        return CloneDemo.randomUuid(snapshotSafe);
    }

    // Paired runs: the bare and the wrapped generator run at the same time, one thread each, so
    // both see the same load from the rest of the machine (a shared 2-core box is noisy; the
    // sequential benchmarks above then compare different moments, these compare the same one).

    @Benchmark
    @Group("pairedNextBytes16")
    @GroupThreads(1)
    public byte[] pairedBare(Buffer b) {
        return bareDrbgNextBytes16(b);
    }

    @Benchmark
    @Group("pairedNextBytes16")
    @GroupThreads(1)
    public byte[] pairedSnapshotSafe(Buffer b) {
        return snapshotSafeNextBytes16(b);
    }

    @Benchmark
    @Group("pairedRandomUuid")
    @GroupThreads(1)
    public UUID pairedBareUuid() {
        return bareDrbgRandomUuid();
    }

    @Benchmark
    @Group("pairedRandomUuid")
    @GroupThreads(1)
    public UUID pairedSnapshotSafeUuid() {
        return snapshotSafeRandomUuid();
    }
}
