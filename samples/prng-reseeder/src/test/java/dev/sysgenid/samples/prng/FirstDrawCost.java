/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;

import dev.sysgenid.SimulatedDevice;

/**
 * A harness, not a test: the cost of the "new generator, 16 bytes, drop it" pattern (a token
 * per request), stock NativePRNG, bare SUN DRBG and the provider's DRBG (ACTIVE on a simulated
 * device), interleaved in rounds of {@code n}; prints microseconds per operation per round.
 * Command in BENCHMARKS.md.
 */
public final class FirstDrawCost {

    private static volatile Object sink;

    private FirstDrawCost() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        try (SimulatedDevice device = SimulatedDevice.create()) {
            SnapshotSafeProvider provider = new SnapshotSafeProvider(() -> GenerationGuard.watching(device), true, false);
            provider.protectionState();
            Provider sun = Security.getProvider("SUN");
            for (int round = 0; round < 5; round++) {
                double nativePrng = perOp(n, "NativePRNG", sun);
                double drbg = perOp(n, "DRBG", sun);
                double snapshotSafe = perOp(n, "DRBG", provider);
                System.out.printf("round %d: new + nextBytes(16), us/op: NativePRNG %.2f, SUN DRBG %.2f, SnapshotSafe DRBG %.2f%n",
                        round, nativePrng, drbg, snapshotSafe);
            }
        }
    }

    private static double perOp(int n, String algorithm, Provider provider) throws NoSuchAlgorithmException {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            SecureRandom r = SecureRandom.getInstance(algorithm, provider);
            byte[] b = new byte[16];
            r.nextBytes(b);
            sink = b;
        }
        return (System.nanoTime() - start) / 1e3 / n;
    }
}
