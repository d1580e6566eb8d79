/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.security.SecureRandom;

import dev.sysgenid.SimulatedDevice;

/**
 * A cross-check of {@link SnapshotSafeProviderBenchmark} for a shared, noisy machine: the bare
 * SUN DRBG, the wrapper without a device (no load of the counter) and the active wrapper draw
 * 16 bytes in interleaved blocks of 100,000 calls, rotating the order every round, and each
 * block is timed in this thread's CPU time, which other processes' load hardly moves. Prints
 * CPU nanoseconds per call and the throughput ratio to the bare DRBG. Not a JMH benchmark: no
 * forks, one thread; it answers "is there a cost?" when the JMH scores are swamped by noise.
 *
 * <pre>
 * java -cp "$(cat cp.txt)" dev.sysgenid.samples.prng.InterleavedCpuTimeCheck
 * </pre>
 */
public final class InterleavedCpuTimeCheck {

    private InterleavedCpuTimeCheck() {
    }

    public static void main(String[] args) throws Exception {
        int calls = 100_000;
        int warmupRounds = 10;
        int rounds = 40;
        try (SimulatedDevice device = SimulatedDevice.create()) {
            SnapshotSafeProvider active = new SnapshotSafeProvider(() -> GenerationGuard.watching(device), true, false);
            SnapshotSafeProvider noDevice = new SnapshotSafeProvider(
                    () -> GenerationGuard.open(Path.of("/nonexistent/sysgenid")), false, false);
            String[] names = {"bare SUN DRBG", "wrapper, no device", "wrapper, active"};
            SecureRandom[] randoms = {
                SecureRandom.getInstance("DRBG", "SUN"),
                SecureRandom.getInstance("DRBG", noDevice),
                SecureRandom.getInstance("DRBG", active)
            };
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            byte[] bytes = new byte[16];
            long[] cpu = new long[randoms.length];
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < randoms.length; k++) {
                    int j = (k + round) % randoms.length;
                    SecureRandom r = randoms[j];
                    long start = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < calls; i++) {
                        r.nextBytes(bytes);
                    }
                    if (round >= warmupRounds) {
                        cpu[j] += threads.getCurrentThreadCpuTime() - start;
                    }
                }
            }
            double measured = (double) (rounds - warmupRounds) * calls;
            for (int j = 0; j < randoms.length; j++) {
                System.out.printf("%-20s %7.1f CPU ns/call   throughput ratio to bare %.3f%n",
                        names[j], cpu[j] / measured, (double) cpu[0] / cpu[j]);
            }
        }
    }
}
