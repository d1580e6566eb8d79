/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import static dev.sysgenid.reactor.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sysgenid.SimulatedDevice;
import dev.sysgenid.WaitResult;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** Many subscribers, bursts of changes, and subscribe/cancel churn: no stale queue, no leak. */
class ScaleTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final GenerationOptions TRACKED = GenerationOptions.defaults().withTracked(true);

    private SimulatedDevice device;
    private ReactiveGenerations generations;
    private ReactiveOverseer overseer;

    @BeforeEach
    void open() {
        device = SimulatedDevice.create();
        generations = ReactiveGenerations.of(device);
        overseer = generations.overseer();
        device.loop(); // the loop's own fds exist before any fd count
        device.currentGeneration();
    }

    @AfterEach
    void close() {
        overseer.close();
        device.close();
    }

    private void assertNothingLeft(long fdsBefore) {
        eventually(() -> {
            assertThat(device.loop().size()).isZero();
            assertThat(device.counts().trackedWatchers()).isZero();
            assertThat(device.counts().outdatedWatchers()).isZero();
            assertThat(Eventually.openFds()).isEqualTo(fdsBefore);
        });
        assertThat(device.loop().isAlive()).isTrue();
    }

    @Test
    void aThousandSubscribersAllRekeyAndAcknowledgeOneBump() {
        long fds = Eventually.openFds();
        int n = 1000;
        AtomicInteger rekeyings = new AtomicInteger();
        AtomicInteger acknowledged = new AtomicInteger();
        List<Disposable> subs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            subs.add(generations.rekeyed(g -> Mono.fromRunnable(rekeyings::incrementAndGet), TRACKED)
                    .subscribe(g -> acknowledged.incrementAndGet()));
        }
        eventually(() -> {
            assertThat(device.counts().trackedWatchers()).isEqualTo(n);
            assertThat(device.loop().size()).isEqualTo(n);
        });

        int g = device.bump();
        overseer.overseer().catchUp();
        StepVerifier.create(overseer.awaitWatchers(WAIT))
                .expectNext(new WaitResult(WaitResult.Outcome.ALL_ACKNOWLEDGED, 0))
                .verifyComplete();
        assertThat(device.counts().outdatedWatchers()).isZero();
        assertThat(device.counts().generation()).isEqualTo(g);
        eventually(() -> assertThat(acknowledged).hasValue(n));
        assertThat(rekeyings).hasValue(n);

        subs.forEach(Disposable::dispose);
        assertNothingLeft(fds);
    }

    @Test
    void aBurstOfBumpsDuringAHeldRekeyingIsConflatedToTheNewest() {
        int subscribers = 10;
        Sinks.Empty<Void> gate = Sinks.empty();
        List<AtomicInteger> calls = new ArrayList<>();
        List<List<Integer>> emitted = new ArrayList<>();
        List<Disposable> subs = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            AtomicInteger c = new AtomicInteger();
            List<Integer> e = new CopyOnWriteArrayList<>();
            calls.add(c);
            emitted.add(e);
            subs.add(generations.rekeyed(g -> c.incrementAndGet() == 1 ? gate.asMono() : Mono.empty(), TRACKED)
                    .subscribe(g -> e.add(g.value())));
        }
        eventually(() -> assertThat(device.counts().trackedWatchers()).isEqualTo(subscribers));
        int last = 0;
        for (int i = 0; i < 100; i++) {
            last = device.bump();
        }
        eventually(() -> calls.forEach(c -> assertThat(c).hasValue(1))); // each holds its first re-keying
        gate.tryEmitEmpty();
        int fin = last;
        eventually(() -> emitted.forEach(e -> assertThat(e).containsExactly(fin)));
        // the held one (stale ack), then the newest: never the 98 in between
        calls.forEach(c -> assertThat(c.get()).isBetween(1, 2));
        subs.forEach(Disposable::dispose);
    }

    /**
     * Each re-keying lasts until the counter has moved ten more times (a clock counted in bumps,
     * not in milliseconds, so the bound holds however the threads are scheduled): a hundred
     * bumps cost each subscriber about ten re-keyings, not a hundred.
     */
    @Test
    void aBurstOfBumpsWhileRekeyingIsSlowYieldsFarFewerRekeyings() {
        record Rekeying(int until, Sinks.Empty<Void> done) {
        }
        int subscribers = 10;
        int bumps = 100;
        int span = 10;
        Queue<Rekeying> running = new ConcurrentLinkedQueue<>();
        AtomicBoolean burstOver = new AtomicBoolean();
        List<AtomicInteger> calls = new ArrayList<>();
        List<AtomicReference<Integer>> lastSeen = new ArrayList<>();
        List<Disposable> subs = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            AtomicInteger c = new AtomicInteger();
            AtomicReference<Integer> l = new AtomicReference<>();
            calls.add(c);
            lastSeen.add(l);
            subs.add(generations.rekeyed(g -> {
                c.incrementAndGet();
                Sinks.Empty<Void> done = Sinks.empty();
                running.add(new Rekeying(g.value() + span, done));
                if (burstOver.get()) {
                    done.tryEmitEmpty(); // the burst ended while this one started
                }
                return done.asMono();
            }, TRACKED).subscribe(g -> l.set(g.value())));
        }
        eventually(() -> assertThat(device.counts().trackedWatchers()).isEqualTo(subscribers));
        int last = 0;
        for (int i = 0; i < bumps; i++) {
            last = device.bump();
            for (Iterator<Rekeying> it = running.iterator(); it.hasNext(); ) {
                Rekeying r = it.next();
                if (r.until() - last <= 0) {
                    it.remove();
                    r.done().tryEmitEmpty();
                }
            }
        }
        burstOver.set(true);
        running.forEach(r -> r.done().tryEmitEmpty());
        int fin = last;
        eventually(() -> lastSeen.forEach(l -> assertThat(l.get()).isEqualTo(fin)));
        eventually(() -> assertThat(device.counts().outdatedWatchers()).isZero());
        // one re-keying per 'span' bumps, the first, and one for the newest after the burst
        calls.forEach(c -> assertThat(c.get()).isLessThanOrEqualTo(bumps / span + 2));
        subs.forEach(Disposable::dispose);
    }

    @Test
    void tenThousandSubscribeCancelCyclesWhileBumpsFireLeakNothing() throws InterruptedException {
        long fds = Eventually.openFds();
        AtomicBoolean stop = new AtomicBoolean();
        Thread bumper = new Thread(() -> {
            while (!stop.get()) {
                device.bump();
                LockSupport.parkNanos(200_000);
            }
        }, "bumper");
        bumper.start();
        int threads = 4;
        int cycles = 10_000 / threads;
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> churners = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread c = new Thread(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                try {
                    for (int i = 0; i < cycles; i++) {
                        switch (i % 4) {
                            case 0 -> generations.rekeyed(g -> Mono.empty(), TRACKED).subscribe().dispose();
                            case 1 -> generations.generations(TRACKED.withEmitCurrentOnSubscribe(true))
                                    .take(1).blockLast(WAIT); // complete path
                            case 2 -> {
                                Disposable d = generations.rekeyed(g -> Mono.delay(Duration.ofNanos(rnd.nextInt(100_000))),
                                        TRACKED).subscribe(g -> { }, e -> failures.add(e));
                                LockSupport.parkNanos(rnd.nextInt(50_000));
                                d.dispose();
                            }
                            default -> generations.rekeyed(g -> Mono.error(new IllegalStateException("x")), TRACKED)
                                    .onErrorResume(e -> Mono.empty())
                                    .take(Duration.ofNanos(rnd.nextInt(100_000)))
                                    .blockLast(WAIT); // error or timed-complete path
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "churn-" + t);
            churners.add(c);
            c.start();
        }
        for (Thread c : churners) {
            c.join();
        }
        stop.set(true);
        bumper.join();
        assertThat(failures).isEmpty();
        overseer.overseer().catchUp();
        assertNothingLeft(fds);
        StepVerifier.create(overseer.awaitWatchers(Duration.ofSeconds(5)))
                .expectNext(new WaitResult(WaitResult.Outcome.ALL_ACKNOWLEDGED, 0))
                .verifyComplete();
    }
}
