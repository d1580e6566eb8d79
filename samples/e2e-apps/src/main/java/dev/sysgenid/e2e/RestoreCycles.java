/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.e2e;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.sysgenid.AckResult;
import dev.sysgenid.GenerationDevice;
import dev.sysgenid.Overseer;
import dev.sysgenid.WaitResult;
import dev.sysgenid.Watcher;

/**
 * A service with N tracked subscribers (core {@link dev.sysgenid.EpollLoop} registrations on a
 * 4-thread pool) that lives through a chain of snapshot/restore cycles driven by the host
 * (kernel-module/vm/e2e). Before each snapshot it prints {@code CYCLE-READY k} alone on a line
 * and blocks; after the restore the hardware (QEMU's vmgenid with a new guid) moves the counter;
 * every subscriber re-keys and acknowledges; the overseer thread catches up its own file and
 * waits in WAIT_WATCHERS; then it checks that each subscriber saw the new generation exactly once
 * and holds a new key, and prints a CHECK line.
 *
 * <p>Arguments: {@code CYCLES SUBSCRIBERS}.
 */
public final class RestoreCycles {

    private RestoreCycles() {
    }

    /** One subscriber's state: the generations it saw (with counts) and its current key. */
    static final class Subscriber {
        final Map<Integer, AtomicInteger> seen = new ConcurrentHashMap<>();
        final AtomicReference<String> key = new AtomicReference<>();
        final AtomicInteger staleAcks = new AtomicInteger();
    }

    public static void main(String[] args) throws Exception {
        int cycles = Integer.parseInt(args[0]);
        int n = Integer.parseInt(args[1]);
        Checks c = new Checks();
        SecureRandom random = new SecureRandom();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (GenerationDevice device = GenerationDevice.open(Path.of("/dev/sysgenid"));
             Overseer overseer = device.overseer();
             Watcher signal = device.openWatcher()) {
            List<Subscriber> subs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Subscriber s = new Subscriber();
                s.key.set(newKey(random));
                Watcher w = device.openWatcher();
                w.setTracking(true);
                device.loop().register(w, pool, (reg, gen) -> {
                    s.seen.computeIfAbsent(gen, g -> new AtomicInteger()).incrementAndGet();
                    s.key.set(newKey(random)); // re-key, then acknowledge
                    if (reg.acknowledge(gen) == AckResult.STALE) {
                        s.staleAcks.incrementAndGet();
                    }
                });
                subs.add(s);
            }
            c.check(device.counts().trackedWatchers() == n, n + " tracked subscribers registered: " + device.counts());
            List<Integer> gens = new ArrayList<>();
            for (int k = 0; k < cycles; k++) {
                List<String> keys = subs.stream().map(s -> s.key.get()).toList();
                int before = device.currentGeneration();
                Checks.say("CYCLE-READY " + k);
                OptionalInt changed = signal.read(Duration.ofSeconds(120)); // blocks until the restore
                long t0 = System.nanoTime();
                if (!c.check(changed.isPresent(), "cycle " + (k + 1) + ": the counter moved after the restore")) {
                    break;
                }
                overseer.catchUp();
                WaitResult r = overseer.awaitWatchers(Duration.ofSeconds(60));
                long waitMs = (System.nanoTime() - t0) / 1_000_000;
                int gen = device.currentGeneration();
                signal.acknowledge(gen);
                gens.add(gen);
                int once = 0;
                int rekeyed = 0;
                int exact = 0;
                for (int i = 0; i < n; i++) {
                    Subscriber s = subs.get(i);
                    AtomicInteger cnt = s.seen.get(gen);
                    if (cnt != null && cnt.get() == 1) {
                        once++;
                    }
                    if (!s.key.get().equals(keys.get(i))) {
                        rekeyed++;
                    }
                    // the whole history: every generation seen once, no other calls
                    if (s.seen.keySet().equals(new java.util.HashSet<>(gens))
                            && s.seen.values().stream().allMatch(a -> a.get() == 1)) {
                        exact++;
                    }
                }
                c.check(r.allAcknowledged() && once == n && rekeyed == n && exact == n && gen != before,
                        "cycle " + (k + 1) + ": gen " + Integer.toUnsignedString(before) + " -> " + Integer.toUnsignedString(gen)
                                + ", WAIT_WATCHERS " + r.outcome() + " " + waitMs + " ms after the wake-up; saw it once "
                                + once + "/" + n + ", re-keyed " + rekeyed + "/" + n + ", exact history " + exact + "/" + n
                                + ", driver " + device.counts());
            }
            int stale = subs.stream().mapToInt(s -> s.staleAcks.get()).sum();
            Checks.say("stale acks: " + stale);
            Checks.say("CYCLES-DONE");
        } catch (Throwable t) {
            c.fail("restore cycles", t);
        }
        pool.shutdownNow();
        System.exit(c.exitCode());
    }

    private static String newKey(SecureRandom random) {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
