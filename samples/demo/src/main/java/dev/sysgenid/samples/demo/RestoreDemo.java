/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.demo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.GenerationProbe;
import dev.sysgenid.MissingCapabilityException;
import dev.sysgenid.SysgenidException;
import dev.sysgenid.WaitResult;
import dev.sysgenid.reactor.GenerationOptions;
import dev.sysgenid.reactor.ReactiveGenerations;
import dev.sysgenid.reactor.ReactiveOverseer;
import dev.sysgenid.samples.prng.GenerationGuard;
import dev.sysgenid.samples.prng.SnapshotSafeSplittableRandom;
import reactor.core.Disposable;

/**
 * The main job: what the project does, end to end, on whatever device this machine has. Three
 * services subscribe (tracked) and rotate a key on every generation before they acknowledge;
 * an overseer runs restore cycles and waits until every service has rotated; an ID generator
 * reseeds itself through the in-line check. Without {@code /dev/sysgenid} it says so and runs
 * on the simulated device.
 *
 * <p>Usage: {@code RestoreDemo [--device PATH] [--restores N]}. Exit status 0 when every
 * restore cycle ended with all services re-keyed, 1 otherwise, 2 when the device cannot be
 * used (the message says why and what to do).
 */
public final class RestoreDemo {

    private final PrintStream out;

    RestoreDemo(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        Path path = GenerationDevice.DEFAULT_PATH;
        int restores = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> path = Path.of(args[++i]);
                case "--restores" -> restores = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: RestoreDemo [--device PATH] [--restores N]");
                    System.exit(64);
                }
            }
        }
        System.exit(new RestoreDemo(System.out).run(path, restores));
    }

    int run(Path path, int restores) {
        GenerationDevice device;
        try {
            device = GenerationDevice.openOrSimulated(path);
        } catch (SysgenidException e) {
            out.println("cannot use " + path + ": " + e.getMessage());
            return 2;
        }
        try (device) {
            return runOn(device, restores);
        }
    }

    int runOn(GenerationDevice device, int restores) {
        if (device.isSimulated()) {
            out.println("No /dev/sysgenid on this machine (the sysgenid kernel module is not loaded):"
                    + " this demo runs on the SIMULATED generation device (" + device.driver().description()
                    + "), with simulated restores. Load the module (kernel-module/README.md) to run it on the real one.");
        } else {
            out.println("Using the real device " + device.name() + ", driver: " + device.driver().description() + ".");
        }
        ReactiveGenerations generations = ReactiveGenerations.of(device);
        List<KeyedService> services = List.of(new KeyedService("payments"), new KeyedService("sessions"),
                new KeyedService("tokens"));
        List<Disposable> subscriptions = new ArrayList<>();
        GenerationOptions tracked = GenerationOptions.defaults().withTracked(true)
                .withEmitCurrentOnSubscribe(true) // key for the current generation at start
                .withRekeyTimeout(Duration.ofSeconds(5));
        for (KeyedService s : services) {
            subscriptions.add(generations.rekeyed(g -> s.rotate(g.value()), tracked).subscribe(g -> { }, e -> { }));
        }
        try (GenerationProbe probe = device.mapProbe();
                GenerationGuard guard = GenerationGuard.watching(device);
                ReactiveOverseer overseer = generations.overseer()) {
            SnapshotSafeSplittableRandom ids = new SnapshotSafeSplittableRandom(guard);
            awaitKeyed(services, probe.generation());
            SplittableRandom plain = new SplittableRandom(42);
            out.printf("generation %s; services started: %s%n", Integer.toUnsignedString(probe.generation()),
                    services.stream().map(s -> s.describe()).toList());
            int failed = 0;
            for (int i = 1; i <= restores; i++) {
                int before = probe.generation();
                long t0 = System.nanoTime();
                WaitResult r;
                try {
                    r = overseer.restoreCycle(Duration.ofSeconds(10)).block();
                } catch (MissingCapabilityException e) {
                    out.println("this process may not move the counter: " + e.getMessage());
                    return 2;
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                int now = probe.generation();
                out.printf("restore %d: generation %s -> %s; overseer: %s after %d ms (%s)%n", i,
                        Integer.toUnsignedString(before), Integer.toUnsignedString(now),
                        r.allAcknowledged() ? "every tracked service re-keyed" : r.outcome(), ms,
                        r.outdatedWatchers().isPresent() ? r.outdatedWatchers().getAsInt() + " outdated"
                                : "the driver does not report how many are outdated");
                for (KeyedService s : services) {
                    boolean current = s.generation() == now;
                    out.printf("    %s%s%n", s.describe(), current ? "" : "  <- NOT re-keyed for " + now);
                    failed += current ? 0 : 1;
                }
                failed += r.allAcknowledged() ? 0 : 1;
                out.printf("    next ID: %016x (reseeded %d times; a plain SplittableRandom in every clone"
                        + " of this snapshot would say %016x)%n", ids.nextLong(), ids.reseeds(), plain.nextLong());
            }
            out.printf("%s: %d restores, %d failures%n", failed == 0 ? "demo passed" : "demo FAILED", restores, failed);
            return failed == 0 ? 0 : 1;
        } finally {
            subscriptions.forEach(Disposable::dispose);
        }
    }

    private static void awaitKeyed(List<KeyedService> services, int generation) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (services.stream().anyMatch(s -> s.generation() != generation) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A service whose key must be unique to this generation: rotated, then acknowledged. */
    static final class KeyedService {
        private final String name;
        private final java.security.SecureRandom random = new java.security.SecureRandom();
        private volatile byte[] key = new byte[8];
        private volatile int generation = -1;

        KeyedService(String name) {
            this.name = name;
        }

        reactor.core.publisher.Mono<Void> rotate(int gen) {
            return reactor.core.publisher.Mono.fromRunnable(() -> {
                byte[] k = new byte[8];
                random.nextBytes(k);
                key = k;
                generation = gen;
            }).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()).then();
        }

        int generation() {
            return generation;
        }

        String describe() {
            return name + " key " + HexFormat.of().formatHex(key) + " for generation "
                    + (generation == -1 ? "-" : Integer.toUnsignedString(generation));
        }
    }
}
