/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.io.File;
import java.util.concurrent.CyclicBarrier;

/**
 * The properties route's start-up race: one thread creates the JVM's first temporary file
 * ({@code File.TempDirectory}'s initialiser asks for a {@code SecureRandom}) while another
 * loads JNA ({@code Native}'s initialiser creates a temporary file). Prints {@code done=true}
 * when both finished; exits with status 3 if they have not after 15 s (a deadlock).
 */
public final class FirstTempFileRace {

    private FirstTempFileRace() {
    }

    public static void main(String[] args) throws Exception {
        CyclicBarrier go = new CyclicBarrier(2);
        Thread tempFile = new Thread(() -> {
            try {
                go.await();
                File.createTempFile("sysgenid-race", ".tmp").delete();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread jna = new Thread(() -> {
            try {
                go.await();
                Class.forName("com.sun.jna.Native");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        tempFile.setDaemon(true);
        jna.setDaemon(true);
        tempFile.start();
        jna.start();
        tempFile.join(15_000);
        jna.join(15_000);
        if (tempFile.isAlive() || jna.isAlive()) {
            System.out.println("done=false");
            System.out.flush();
            Runtime.getRuntime().halt(3);
        }
        System.out.println("done=true");
    }
}
