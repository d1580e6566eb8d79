/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;

import dev.sysgenid.AckResult;
import dev.sysgenid.GenerationDevice;
import dev.sysgenid.Watcher;

/**
 * A separate process holding one tracked watcher for the overseer CLI checks of
 * kernel-module/vm/run e2e: prints {@code HOLDING gen=G}, blocks until the generation moves, prints
 * {@code GOT gen=G'} and does NOT acknowledge until the file named by the first argument exists;
 * then acknowledges ({@code ACKED gen=G' result=...}) and waits until the second file exists (or
 * 300 s), so that its watcher stays open (tracked, up to date) while the overseer waits again.
 */
public final class HoldThenAck {

    private HoldThenAck() {
    }

    public static void main(String[] args) throws Exception {
        Path ackFile = Path.of(args[0]);
        Path exitFile = Path.of(args[1]);
        try (GenerationDevice device = GenerationDevice.open(Path.of("/dev/sysgenid"));
             Watcher w = device.openWatcher()) {
            w.setTracking(true);
            Checks.say("HOLDING gen=" + Integer.toUnsignedString(device.currentGeneration()));
            OptionalInt g = w.read(Duration.ofSeconds(300));
            if (g.isEmpty()) {
                Checks.say("NO-CHANGE");
                System.exit(3);
            }
            Checks.say("GOT gen=" + Integer.toUnsignedString(g.getAsInt()));
            while (!Files.exists(ackFile)) {
                Thread.sleep(50);
            }
            AckResult r = w.acknowledge(g.getAsInt());
            Checks.say("ACKED gen=" + Integer.toUnsignedString(g.getAsInt()) + " result=" + r);
            for (int i = 0; i < 6000 && !Files.exists(exitFile); i++) {
                Thread.sleep(50);
            }
        }
    }
}
