/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.e2e;

import java.nio.file.Path;

import dev.sysgenid.GenerationDevice;

/**
 * Prints the device's current generation (unsigned, one line) as the library reads it (the
 * mapped counter page), for guest scripts that judge a result on any driver: ours or the
 * production one, which exports no sysfs attributes. Exit 1 if the device cannot be opened.
 */
public final class CurrentGeneration {

    private CurrentGeneration() {
    }

    public static void main(String[] args) {
        Path path = Path.of(args.length > 0 ? args[0] : "/dev/sysgenid");
        try (GenerationDevice device = GenerationDevice.open(path)) {
            System.out.println(Integer.toUnsignedString(device.currentGeneration()));
        } catch (RuntimeException e) {
            System.err.println("cannot read the generation of " + path + ": " + e.getMessage());
            System.exit(1);
        }
    }
}
