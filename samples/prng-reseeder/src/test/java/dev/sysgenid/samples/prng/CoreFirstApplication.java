/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.nio.file.Path;
import java.security.SecureRandom;

import dev.sysgenid.GenerationDevice;

/**
 * An application that loads the core (and so JNA) itself before its first
 * {@code SecureRandom}: JNA's temporary file then reaches the provider while JNA's classes are
 * still being initialised on this thread. Prints the provider's state ({@code protection=...})
 * once its open has finished.
 */
public final class CoreFirstApplication {

    private CoreFirstApplication() {
    }

    public static void main(String[] args) {
        GenerationDevice.status(Path.of(args[0]));
        new SecureRandom().nextBytes(new byte[16]);
        System.out.println("protection=" + SnapshotSafeProvider.installed().orElseThrow().protectionState());
    }
}
