/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.security.SecureRandom;
import java.security.Security;
import java.util.HexFormat;

import dev.sysgenid.SimulatedDevice;

/**
 * {@code new SecureRandom(seed)} with a fixed seed, first thing in a JVM, printed as hex: run
 * twice, it shows whether the default generator is deterministic across runs. With
 * {@code provider}, the provider is installed first, ACTIVE on a simulated device.
 */
public final class SeededDefault {

    private SeededDefault() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("provider")) {
            SimulatedDevice device = SimulatedDevice.create();
            Security.insertProviderAt(new SnapshotSafeProvider(() -> GenerationGuard.watching(device), false, false), 1);
        }
        SecureRandom seeded = new SecureRandom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        byte[] b = new byte[16];
        seeded.nextBytes(b);
        System.out.println("algorithm=" + seeded.getProvider().getName() + "/" + seeded.getAlgorithm());
        System.out.println("output=" + HexFormat.of().formatHex(b));
    }
}
