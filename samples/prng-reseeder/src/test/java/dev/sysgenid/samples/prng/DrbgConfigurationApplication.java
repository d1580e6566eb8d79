/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.security.DrbgParameters;
import java.security.SecureRandom;
import java.security.Security;
import java.util.UUID;

import dev.sysgenid.SimulatedDevice;

/**
 * Every way an application draws from the provider's DRBG, under whatever
 * {@code securerandom.drbg.config} the JVM was started with. With the argument {@code active}
 * it installs a provider on a simulated device first (ACTIVE, and the generation moves between
 * draws); otherwise it uses the provider the JDK installed (FAILED with
 * {@code -Dsysgenid.device=/dev/null}). Prints {@code step=ok} or {@code step=<the exception>}
 * per step, the state ({@code protection=}) and the SUN DRBG's configuration ({@code sun=}).
 */
public final class DrbgConfigurationApplication {

    private DrbgConfigurationApplication() {
    }

    public static void main(String[] args) throws Exception {
        SimulatedDevice device = SimulatedDevice.create(7);
        if (args.length > 0 && args[0].equals("active")) {
            SnapshotSafeProvider p = new SnapshotSafeProvider(() -> GenerationGuard.watching(device), true, false);
            p.protectionState();
            Security.insertProviderAt(p, 1);
        }
        SnapshotSafeProvider provider = SnapshotSafeProvider.installed().orElseThrow();
        System.out.println("protection=" + provider.protectionState());
        System.out.println("sun=" + SecureRandom.getInstance("DRBG", "SUN"));
        step("nextInt", () -> new SecureRandom().nextInt());
        step("uuid", UUID::randomUUID);
        SecureRandom drbg = SecureRandom.getInstance("DRBG");
        step("draw", () -> drbg.nextBytes(new byte[32]));
        device.bump();
        step("drawAfterChange", () -> drbg.nextBytes(new byte[32]));
        SecureRandom withParams = SecureRandom.getInstance("DRBG");
        step("drawWithParams", () -> withParams.nextBytes(new byte[32], DrbgParameters.nextBytes(-1, false, null)));
        SecureRandom noReseed = SecureRandom.getInstance("DRBG",
                DrbgParameters.instantiation(-1, DrbgParameters.Capability.NONE, null));
        step("noReseedCapability", () -> noReseed.nextBytes(new byte[32]));
        device.bump();
        step("noReseedCapabilityAfterChange", () -> noReseed.nextBytes(new byte[32]));
        System.out.println("stats=" + provider.statistics());
        device.close();
    }

    private static void step(String name, Runnable draw) {
        try {
            draw.run();
            System.out.println(name + "=ok");
        } catch (RuntimeException e) {
            System.out.println(name + "=" + e);
        }
    }
}
