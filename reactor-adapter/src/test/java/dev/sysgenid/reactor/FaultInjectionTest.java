/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import static dev.sysgenid.reactor.Eventually.await;
import static dev.sysgenid.reactor.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;

import dev.sysgenid.Overseer;
import dev.sysgenid.SimulatedDevice;
import dev.sysgenid.WaitResult;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Faults of the adapter's users and of its schedulers: after each, the other subscriptions on
 * the same device (one on every shared lane) are still served, the overseer is not held up by
 * the faulty one, and no fd is left open.
 */
class FaultInjectionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final GenerationOptions TRACKED = GenerationOptions.defaults().withTracked(true);

    private SimulatedDevice device;
    private ReactiveGenerations generations;
    private Overseer overseer; // the blocking one: Schedulers.shutdownNow() must not take it away
    private long fdsBefore;
    /** Healthy tracked subscribers, one more than there are lanes, subscribed after the faulty one. */
    private final List<AtomicInteger> neighbours = new ArrayList<>();
    private final List<Disposable> subscriptions = new ArrayList<>();

    @BeforeEach
    void open() {
        device = SimulatedDevice.create(1);
        generations = ReactiveGenerations.of(device);
        overseer = device.overseer();
        device.loop(); // the loop's own fds and the counter page exist before the fd count
        device.currentGeneration();
        fdsBefore = Eventually.openFds();
    }

    @AfterEach
    void close() {
        subscriptions.forEach(Disposable::dispose);
        eventually(() -> {
            assertThat(device.loop().size()).isZero();
            assertThat(device.counts().trackedWatchers()).isZero();
            assertThat(Eventually.openFds()).as("fds left open").isEqualTo(fdsBefore);
        });
        overseer.close();
        device.close();
    }

    /** Subscribes healthy tracked neighbours so that every lane, the faulty one's included, has one. */
    private void subscribeNeighbours(GenerationOptions options) {
        for (int i = 0; i <= Schedulers.DEFAULT_POOL_SIZE; i++) {
            AtomicInteger rekeyed = new AtomicInteger();
            neighbours.add(rekeyed);
            subscriptions.add(generations.rekeyed(g -> Mono.fromRunnable(rekeyed::incrementAndGet), options).subscribe());
        }
    }

    private void awaitTracked(int n) {
        eventually(() -> {
            assertThat(device.counts().trackedWatchers()).isEqualTo(n);
            assertThat(device.loop().size()).isGreaterThanOrEqualTo(n);
        });
    }

    /** A restore that every neighbour re-keys and acknowledges, and that nobody else holds up. */
    private void assertNeighboursServed() throws InterruptedException {
        List<Integer> before = neighbours.stream().map(AtomicInteger::get).toList();
        device.bump();
        overseer.catchUp();
        assertThat(overseer.awaitWatchers(WAIT)).isEqualTo(new WaitResult(WaitResult.Outcome.ALL_ACKNOWLEDGED, 0));
        for (int i = 0; i < neighbours.size(); i++) {
            int k = i;
            eventually(() -> assertThat(neighbours.get(k).get()).as("neighbour %d", k).isGreaterThan(before.get(k)));
        }
    }

    // ---- a scheduler that rejects ------------------------------------------------------------

    @Test
    void aDisposedSchedulerOfItsOwnEndsTheSubscriptionWithAnError() throws InterruptedException {
        Scheduler doomed = Schedulers.newSingle("doomed");
        subscribeNeighbours(TRACKED);
        StepVerifier.create(generations.generations(TRACKED.withScheduler(doomed)))
                .then(() -> awaitTracked(neighbours.size() + 1))
                .then(doomed::dispose)
                .then(device::bump)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RejectedExecutionException.class)
                        .hasMessageContaining("rejected a task").hasMessageContaining("subscribe again"))
                .verify(WAIT);
        awaitTracked(neighbours.size()); // its watcher is closed
        assertNeighboursServed();
    }

    @Test
    void aDisposedSchedulerEndsARekeyedSubscriptionWithAnErrorToo() throws InterruptedException {
        Scheduler doomed = Schedulers.newSingle("doomed");
        subscribeNeighbours(TRACKED);
        StepVerifier.create(generations.rekeyed(g -> Mono.empty(), TRACKED.withScheduler(doomed)))
                .then(() -> awaitTracked(neighbours.size() + 1))
                .then(doomed::dispose)
                .then(device::bump)
                .expectError(RejectedExecutionException.class)
                .verify(WAIT);
        awaitTracked(neighbours.size());
        assertNeighboursServed();
    }

    /**
     * Disposes every default scheduler of the JVM (later calls of {@code Schedulers.parallel()}
     * make new ones): each subscription on the old parallel lanes ends with an error, and a new
     * subscription is served by the new scheduler.
     */
    @Test
    void afterSchedulersShutdownNowEverySubscriptionEndsWithAnError() {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        AtomicInteger completions = new AtomicInteger();
        int n = 2 * Schedulers.DEFAULT_POOL_SIZE + 1;
        for (int i = 0; i < n; i++) {
            Flux<Generation> flux = i % 2 == 0 ? generations.generations(TRACKED)
                    : generations.rekeyed(g -> Mono.empty(), TRACKED);
            flux.subscribe(g -> g.ack().subscribe(), errors::add, completions::incrementAndGet);
        }
        awaitTracked(n);
        Schedulers.shutdownNow();
        device.bump();
        eventually(() -> assertThat(errors).hasSize(n)
                .allSatisfy(e -> assertThat(e).isInstanceOf(RejectedExecutionException.class)));
        assertThat(completions).hasValue(0);
        eventually(() -> {
            assertThat(device.counts().trackedWatchers()).isZero();
            assertThat(device.loop().size()).isZero();
            assertThat(Eventually.openFds()).isEqualTo(fdsBefore);
        });
        StepVerifier.create(generations.rekeyed(g -> Mono.empty(), TRACKED).take(1))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .expectNextCount(1)
                .verifyComplete();
    }

    // ---- subscribers that throw JVM-fatal errors ---------------------------------------------

    @Test
    void aLinkageErrorInOneSubscriberDoesNotWedgeItsLane() throws InterruptedException {
        List<Throwable> handled = new CopyOnWriteArrayList<>();
        Schedulers.onHandleError("fault-injection", (t, e) -> handled.add(e));
        try {
            subscriptions.add(generations.generations(TRACKED).subscribe(g -> {
                throw new LinkageError("a class that failed to link");
            }));
            subscribeNeighbours(TRACKED);
            awaitTracked(neighbours.size() + 1);
            assertNeighboursServed(); // the faulty one is not waited for: its watcher was closed
            assertNeighboursServed(); // and its lane still serves the next change
            eventually(() -> assertThat(handled).anySatisfy(e -> assertThat(e).isInstanceOf(LinkageError.class)));
        } finally {
            Schedulers.resetOnHandleError("fault-injection");
        }
    }

    @Test
    void aStackOverflowInARekeyedSubscriberDoesNotWedgeItsLane() throws InterruptedException {
        Schedulers.onHandleError("fault-injection", (t, e) -> { });
        try {
            subscriptions.add(generations.rekeyed(g -> Mono.empty(), TRACKED).subscribe(g -> {
                throw new StackOverflowError("deep");
            }));
            subscribeNeighbours(TRACKED);
            awaitTracked(neighbours.size() + 1);
            assertNeighboursServed();
            assertNeighboursServed();
        } finally {
            Schedulers.resetOnHandleError("fault-injection");
        }
    }

    // ---- re-keying publishers that fail ------------------------------------------------------

    @Test
    void rekeyPublishersThatErrorThrowOrNeverCompleteEndOnlyTheirOwnSubscription() throws InterruptedException {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        subscriptions.add(generations.rekeyed(g -> Mono.error(new IllegalStateException("kms down")), TRACKED)
                .subscribe(g -> { }, errors::add));
        subscriptions.add(generations.rekeyed(g -> {
            throw new IllegalArgumentException("thrown by rekey");
        }, TRACKED).subscribe(g -> { }, errors::add));
        subscriptions.add(generations.rekeyed(g -> Mono.never(), TRACKED.withRekeyTimeout(Duration.ofMillis(100)))
                .subscribe(g -> { }, errors::add));
        subscriptions.add(generations.rekeyed(g -> Flux.error(new OutOfMemoryError("not fatal here: signalled")), TRACKED)
                .subscribe(g -> { }, errors::add));
        subscribeNeighbours(TRACKED);
        awaitTracked(neighbours.size() + 4);
        assertNeighboursServed();
        eventually(() -> assertThat(errors).hasSize(4));
        assertThat(errors).anySatisfy(e -> assertThat(e).hasMessage("kms down"))
                .anySatisfy(e -> assertThat(e).hasMessage("thrown by rekey"))
                .anySatisfy(e -> assertThat(e).isInstanceOf(TimeoutException.class))
                .anySatisfy(e -> assertThat(e).isInstanceOf(OutOfMemoryError.class));
        awaitTracked(neighbours.size());
        assertNeighboursServed();
    }

    // ---- cancellation ------------------------------------------------------------------------

    @Test
    void cancellingFromInsideOnNextReleasesTheWatcher() throws InterruptedException {
        CountDownLatch cancelled = new CountDownLatch(2);
        generations.generations(TRACKED).subscribe(new BaseSubscriber<Generation>() {
            @Override
            protected void hookOnNext(Generation g) {
                cancel();
                cancelled.countDown();
            }
        });
        generations.rekeyed(g -> Mono.empty(), TRACKED).subscribe(new BaseSubscriber<Generation>() {
            @Override
            protected void hookOnNext(Generation g) {
                cancel();
                cancelled.countDown();
            }
        });
        subscribeNeighbours(TRACKED);
        awaitTracked(neighbours.size() + 2);
        assertNeighboursServed();
        await(cancelled);
        awaitTracked(neighbours.size());
        assertNeighboursServed();
    }

    @Test
    void cancelsRacingBumpsLeaveNothingBehind() throws InterruptedException {
        subscribeNeighbours(TRACKED);
        awaitTracked(neighbours.size());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int round = 0; round < 200; round++) {
            Disposable a = generations.rekeyed(g -> Mono.empty(), TRACKED).subscribe(g -> { }, failure::set);
            Disposable b = generations.generations(TRACKED).subscribe(g -> g.ack().subscribe(), failure::set);
            Thread bumper = new Thread(device::bump);
            bumper.start();
            a.dispose();
            b.dispose();
            bumper.join();
        }
        assertThat(failure.get()).isNull();
        awaitTracked(neighbours.size());
        assertNeighboursServed();
    }

    /** Sanity of the harness: a subscriber that requested nothing is not served, but is never lost. */
    @Test
    void aSubscriberWithoutDemandHoldsTheOverseerUntilItRequests() throws InterruptedException {
        AtomicReference<Subscription> upstream = new AtomicReference<>();
        List<Generation> seen = new CopyOnWriteArrayList<>();
        generations.rekeyed(g -> Mono.empty(), TRACKED).subscribe(new BaseSubscriber<Generation>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                upstream.set(s);
            }

            @Override
            protected void hookOnNext(Generation g) {
                seen.add(g);
            }
        });
        awaitTracked(1);
        device.bump();
        overseer.catchUp();
        assertThat(overseer.awaitWatchers(Duration.ofMillis(100)))
                .isEqualTo(new WaitResult(WaitResult.Outcome.TIMED_OUT, 1));
        upstream.get().request(1);
        assertThat(overseer.awaitWatchers(WAIT)).isEqualTo(new WaitResult(WaitResult.Outcome.ALL_ACKNOWLEDGED, 0));
        eventually(() -> assertThat(seen).hasSize(1));
        upstream.get().cancel();
    }
}
