/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.util.UUID;

/**
 * An application that knows nothing of the provider: it uses SecureRandom and UUID as any
 * code does. {@link InstallationTest} runs it in a child JVM and reads what it prints, one
 * {@code key=value} per line. Only the report at the end looks the provider up, by name.
 */
public final class UnchangedApplication {

    private UnchangedApplication() {
    }

    public static void main(String[] args) throws Exception {
        long before = created();
        UUID uuid = UUID.randomUUID();
        long after = created();
        System.out.println("uuidVersion=" + uuid.version());
        System.out.println("uuidThroughProvider=" + (after > before));
        SecureRandom standard = new SecureRandom();
        System.out.println("default=" + standard.getProvider().getName() + "/" + standard.getAlgorithm());
        System.out.println("drbg=" + SecureRandom.getInstance("DRBG").getProvider().getName());
        System.out.println("sha1prng=" + SecureRandom.getInstance("SHA1PRNG").getProvider().getName());
        SecureRandom strong = SecureRandom.getInstanceStrong();
        System.out.println("strong=" + strong.getProvider().getName() + "/" + strong.getAlgorithm());
        System.out.println("nativeprng=" + SecureRandom.getInstance("NativePRNG").getProvider().getName());
        System.out.println("provider1=" + Security.getProviders()[0].getName());
        System.out.println("provider2=" + Security.getProviders()[1].getName());
        byte[] b = new byte[16];
        for (int i = 0; i < 3; i++) {
            standard.nextBytes(b);
        }
        Provider p = Security.getProvider("SnapshotSafe");
        if (p instanceof SnapshotSafeProvider s) {
            System.out.println("protection=" + s.protectionState());
            System.out.println("everyCallReseeds=" + s.statistics().everyCallReseeds());
        }
    }

    private static long created() {
        Provider p = Security.getProvider("SnapshotSafe");
        return p instanceof SnapshotSafeProvider s ? s.statistics().instancesCreated() : -1;
    }
}
