/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.SplittableRandom;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.Watcher;

/**
 * The control for the PRNG clone demo of kernel-module/vm/run e2e: a plain JDK
 * {@code java.util.SplittableRandom} with a fixed seed (the seed CloneDemo gives its
 * SnapshotSafeSplittableRandom), which no provider touches. Prints {@code clone-demo before
 * plain-splittable X}, the marker (first argument), blocks on a watcher until the generation
 * moves, then {@code clone-demo after plain-splittable X} from the same instance: every clone of
 * one snapshot prints the same value.
 */
public final class SeededSplittable {

    private SeededSplittable() {
    }

    public static void main(String[] args) throws Exception {
        SplittableRandom r = new SplittableRandom(0x5eed_c10e_d3e0L);
        Checks.say("clone-demo before plain-splittable " + String.format("%016x", r.nextLong()));
        try (GenerationDevice device = GenerationDevice.open(Path.of("/dev/sysgenid"));
             Watcher w = device.openWatcher()) {
            Checks.say(args[0]);
            OptionalInt g = w.read(Duration.ofSeconds(300));
            if (g.isEmpty()) {
                System.exit(3);
            }
            w.acknowledge(g.getAsInt());
            Checks.say("clone-demo after plain-splittable " + String.format("%016x", r.nextLong()));
        }
    }
}
