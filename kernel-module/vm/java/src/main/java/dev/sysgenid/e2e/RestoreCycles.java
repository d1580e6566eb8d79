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
import dev.sysgenid.reactor.Generation;
import dev.sysgenid.reactor.GenerationOptions;
import dev.sysgenid.reactor.ReactiveGenerations;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * A service with N tracked subscribers (core {@link dev.sysgenid.EpollLoop} registrations on a
 * 4-thread pool) that lives through a chain of snapshot/restore cycles driven by the host
 * (kernel-module/vm/run e2e). Before each snapshot it prints {@code CYCLE-READY k} alone on a line
 * and blocks; after the restore the hardware (QEMU's vmgenid with a new guid) moves the counter;
 * every subscriber re-keys and acknowledges; the overseer thread catches up its own file and
 * waits in WAIT_WATCHERS; then it checks that each subscriber saw the new generation exactly once
 * and holds a new key, and prints a CHECK line.
 *
 * <p>Arguments: {@code CYCLES SUBSCRIBERS [MODE]}; MODE {@code core} (N EpollLoop
 * registrations), {@code flux} (N reactor-adapter {@code rekeyed(fn, tracked)} subscriptions:
 * the re-keying is the Publisher, the adapter acknowledges when it completes) or {@code both}
 * (N of each in the same JVM, default): the overseer's wait then covers all of them, and each
 * group is checked on its own every cycle.
 */
public final class RestoreCycles {

    private RestoreCycles() {
    }

    /** One subscriber's state: the generations it saw (with counts) and its current key. */
    static final class Subscriber {
        final Map<Integer, AtomicInteger> seen = new ConcurrentHashMap<>();
        final AtomicReference<String> key = new AtomicReference<>();
        final AtomicInteger staleAcks = new AtomicInteger();
        /** flux only: the generations the adapter emitted (acknowledgement accepted). */
        final Map<Integer, AtomicInteger> emitted = new ConcurrentHashMap<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();
    }

    /** A group of subscribers of one kind. */
    record Group(String name, List<Subscriber> subs) {
    }

    public static void main(String[] args) throws Exception {
        int cycles = Integer.parseInt(args[0]);
        int n = Integer.parseInt(args[1]);
        String mode = args.length > 2 ? args[2] : "both";
        Checks c = new Checks();
        SecureRandom random = new SecureRandom();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Disposable> disposables = new ArrayList<>();
        try (GenerationDevice device = GenerationDevice.open(Path.of("/dev/sysgenid"));
             Overseer overseer = device.overseer();
             Watcher signal = device.openWatcher()) {
            List<Group> groups = new ArrayList<>();
            if (!mode.equals("flux")) {
                List<Subscriber> subs = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Subscriber s = new Subscriber();
                    s.key.set(newKey(random));
                    device.watch(true, pool, (reg, gen) -> {
                        s.seen.computeIfAbsent(gen, g -> new AtomicInteger()).incrementAndGet();
                        s.key.set(newKey(random)); // re-key, then acknowledge
                        if (reg.acknowledge(gen) == AckResult.STALE) {
                            s.staleAcks.incrementAndGet();
                        }
                    });
                    subs.add(s);
                }
                groups.add(new Group("core EpollLoop", subs));
            }
            if (!mode.equals("core")) {
                ReactiveGenerations gens = ReactiveGenerations.of(device);
                GenerationOptions tracked = GenerationOptions.defaults().withTracked(true);
                List<Subscriber> subs = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Subscriber s = new Subscriber();
                    s.key.set(newKey(random));
                    disposables.add(gens.rekeyed((Generation g) -> Mono.fromRunnable(() -> {
                        s.seen.computeIfAbsent(g.value(), x -> new AtomicInteger()).incrementAndGet();
                        s.key.set(newKey(random)); // the re-keying; the adapter acks when it completes
                    }), tracked).subscribe(
                            g -> s.emitted.computeIfAbsent(g.value(), x -> new AtomicInteger()).incrementAndGet(),
                            s.error::set));
                    subs.add(s);
                }
                groups.add(new Group("reactor rekeyed(fn, tracked)", subs));
            }
            int total = groups.stream().mapToInt(g -> g.subs().size()).sum();
            for (int i = 0; i < 100 && device.counts().isPresent() && device.counts().get().trackedWatchers() != total; i++) {
                Thread.sleep(50);
            }
            c.checkCounts(device, () -> device.counts().orElseThrow().trackedWatchers() == total, () -> total
                    + " tracked subscribers registered (" + String.join(" + ", groups.stream()
                            .map(g -> g.subs().size() + " " + g.name()).toList()) + "): " + device.counts());
            List<Integer> gens = new ArrayList<>();
            for (int k = 0; k < cycles; k++) {
                List<List<String>> keys = groups.stream().map(g -> g.subs().stream().map(s -> s.key.get()).toList()).toList();
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
                if (!groups.isEmpty() && groups.get(groups.size() - 1).name().startsWith("reactor")) {
                    // the adapter emits right after its ack: give the onNext a moment to land
                    for (int i = 0; i < 100 && !groups.get(groups.size() - 1).subs().stream()
                            .allMatch(s -> s.emitted.containsKey(gen)); i++) {
                        Thread.sleep(20);
                    }
                }
                StringBuilder detail = new StringBuilder();
                boolean ok = r.allAcknowledged() && gen != before;
                for (int gi = 0; gi < groups.size(); gi++) {
                    Group group = groups.get(gi);
                    boolean flux = group.name().startsWith("reactor");
                    int once = 0;
                    int rekeyed = 0;
                    int exact = 0;
                    int errors = 0;
                    int m = group.subs().size();
                    for (int i = 0; i < m; i++) {
                        Subscriber s = group.subs().get(i);
                        AtomicInteger cnt = s.seen.get(gen);
                        AtomicInteger em = s.emitted.get(gen);
                        if (cnt != null && cnt.get() == 1 && (!flux || em != null && em.get() == 1)) {
                            once++;
                        }
                        if (!s.key.get().equals(keys.get(gi).get(i))) {
                            rekeyed++;
                        }
                        // the whole history: every generation seen once, no other calls
                        java.util.Set<Integer> all = new java.util.HashSet<>(gens);
                        if (s.seen.keySet().equals(all) && s.seen.values().stream().allMatch(a -> a.get() == 1)
                                && (!flux || s.emitted.keySet().equals(all)
                                        && s.emitted.values().stream().allMatch(a -> a.get() == 1))) {
                            exact++;
                        }
                        if (s.error.get() != null) {
                            errors++;
                        }
                    }
                    ok &= once == m && rekeyed == m && exact == m && errors == 0;
                    detail.append("; ").append(group.name()).append(": saw it once").append(flux ? " (re-keyed and emitted)" : "")
                            .append(' ').append(once).append('/').append(m).append(", re-keyed ").append(rekeyed).append('/')
                            .append(m).append(", exact history ").append(exact).append('/').append(m);
                    if (errors > 0) {
                        detail.append(", ").append(errors).append(" errors");
                    }
                }
                c.check(ok, "cycle " + (k + 1) + ": gen " + Integer.toUnsignedString(before) + " -> " + Integer.toUnsignedString(gen)
                                + ", WAIT_WATCHERS " + r.outcome() + " " + waitMs + " ms after the wake-up" + detail
                                + ", driver " + device.counts());
            }
            List<Subscriber> subs = groups.stream().flatMap(g -> g.subs().stream()).toList();
            int stale = subs.stream().mapToInt(s -> s.staleAcks.get()).sum();
            Checks.say("stale acks: " + stale);
            subs.stream().map(x -> x.error.get()).filter(java.util.Objects::nonNull).findFirst()
                    .ifPresent(e -> c.fail("a reactor subscription ended with an error", e));
            Checks.say("CYCLES-DONE");
            disposables.forEach(Disposable::dispose);
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
