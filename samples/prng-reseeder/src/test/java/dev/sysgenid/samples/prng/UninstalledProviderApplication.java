/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.security.Provider;
import java.util.ServiceLoader;

/**
 * An application that constructs the provider without installing it, as the first argument
 * says: {@code construct} ({@code new SnapshotSafeProvider()}), {@code serviceloader} (a
 * {@code ServiceLoader} iteration over {@code Provider}, which the jar's
 * {@code META-INF/services} entry reaches), {@code jvmwide} (what deserialization does when no
 * provider is installed). Prints {@code done=true} as {@code main} returns.
 */
public final class UninstalledProviderApplication {

    private UninstalledProviderApplication() {
    }

    public static void main(String[] args) {
        switch (args[0]) {
            case "construct" -> System.out.println("name=" + new SnapshotSafeProvider().getName());
            case "serviceloader" -> {
                for (Provider p : ServiceLoader.load(Provider.class)) {
                    System.out.println("found=" + p.getName());
                }
            }
            case "jvmwide" -> System.out.println("name=" + SnapshotSafeProvider.jvmWide().getName());
            default -> throw new IllegalArgumentException("construct, serviceloader or jvmwide, not " + args[0]);
        }
        System.out.println("done=true");
    }
}
