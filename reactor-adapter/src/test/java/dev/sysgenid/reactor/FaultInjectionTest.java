/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import static dev.sysgenid.reactor.Eventually.await;
import static dev.sysgenid.reactor.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

import dev.sysgenid.FileLimitException;
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
            assertThat(device.kernelCounts().trackedWatchers()).isZero();
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
            assertThat(device.kernelCounts().trackedWatchers()).isEqualTo(n);
            assertThat(device.loop().size()).isGreaterThanOrEqualTo(n);
        });
    }

    /** A restore that every neighbour re-keys and acknowledges, and that nobody else holds up. */
    private void assertNeighboursServed() throws InterruptedException {
        List<Integer> before = neighbours.stream().map(AtomicInteger::get).toList();
        device.bump();
        overseer.catchUp();
        assertThat(overseer.awaitWatchers(WAIT)).isEqualTo(Waits.allAcknowledged());
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

    /** No bump needed: the first request is rejected, and that alone ends the subscription. */
    @Test
    void aSchedulerDisposedBeforeTheSubscriptionEndsItAtOnce() throws InterruptedException {
        subscribeNeighbours(TRACKED);
        awaitTracked(neighbours.size());
        Scheduler doomed = Schedulers.newSingle("doomed-before");
        doomed.dispose();
        GenerationOptions onDoomed = TRACKED.withScheduler(doomed);
        for (Flux<Generation> flux : List.of(generations.generations(onDoomed),
                generations.generations(onDoomed.withEmitCurrentOnSubscribe(true)),
                generations.rekeyed(g -> Mono.empty(), onDoomed),
                generations.rekeyed(g -> Mono.empty(), onDoomed.withEmitCurrentOnSubscribe(true)))) {
            StepVerifier.create(flux)
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RejectedExecutionException.class)
                            .hasMessageContaining("rejected a task").hasMessageContaining("subscribe again"))
                    .verify(WAIT);
            awaitTracked(neighbours.size()); // its watcher is closed
        }
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
            assertThat(device.kernelCounts().trackedWatchers()).isZero();
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

    // ---- running out of file descriptors ------------------------------------------------------

    /**
     * The process's fd limit is lowered (prlimit(1) on this JVM) to leave room for 20 simulated
     * watchers (a pipe each) while 60 subscribe: those that got no fd end with {@link
     * FileLimitException}, the others are served, and nothing is left open. The limit is put
     * back by a process started before it was lowered (starting one needs fds).
     */
    @Test
    void runningOutOfFdsWhileSubscribingEndsOnlyTheSubscriptionsThatGotNone() throws Exception {
        subscribeNeighbours(TRACKED);
        awaitTracked(neighbours.size());
        long pid = ProcessHandle.current().pid();
        String limitBefore = prlimit("--pid", Long.toString(pid), "--nofile", "--raw", "--noheadings", "--output=SOFT");
        Process restorer = new ProcessBuilder("sh", "-c", "read x; exec prlimit --pid " + pid + " --nofile=" + limitBefore + ":")
                .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Map<String, Integer> errors = new ConcurrentHashMap<>();
        List<AtomicInteger> served = new ArrayList<>();
        int subscribers = 60;
        try (OutputStream restore = restorer.getOutputStream()) {
            prlimit("--pid", Long.toString(pid), "--nofile=" + (Eventually.allOpenFds() + 41) + ":");
            try {
                for (int i = 0; i < subscribers; i++) {
                    AtomicInteger n = new AtomicInteger();
                    Flux<Generation> flux = i % 2 == 0 ? generations.rekeyed(g -> Mono.empty(), TRACKED)
                            : generations.generations(TRACKED);
                    subscriptions.add(flux.subscribe(g -> {
                        n.incrementAndGet();
                        g.ack().subscribe();
                    }, e -> errors.merge(e.getClass().getSimpleName(), 1, Integer::sum)));
                    served.add(n);
                }
            } finally {
                restore.write('\n');
            }
        }
        assertThat(restorer.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(restorer.exitValue()).as("prlimit put the limit back").isZero();
        eventually(() -> assertThat(device.kernelCounts().trackedWatchers() - neighbours.size()
                + errors.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(subscribers));
        assertThat(errors.keySet()).containsExactly("FileLimitException");
        int live = device.kernelCounts().trackedWatchers() - neighbours.size();
        assertThat(live).as("subscriptions that got their fds").isBetween(1, subscribers - 1);
        assertNeighboursServed();
        eventually(() -> assertThat(served.stream().filter(n -> n.get() == 1).count()).isEqualTo(live));
    }

    private static String prlimit(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("prlimit"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).as("prlimit " + String.join(" ", args) + ": " + out).isZero();
        return out;
    }

    // ---- interrupted threads -------------------------------------------------------------------

    /**
     * A thread whose interrupt flag is set subscribes and disposes, blocks (Reactor's block
     * then throws at once and cancels) and subscribes again: nothing leaks, the flag is the
     * caller's, and the last subscription is served like any other.
     */
    @Test
    void anInterruptedThreadSubscribesBlocksAndDisposes() throws Exception {
        subscribeNeighbours(TRACKED);
        awaitTracked(neighbours.size());
        List<Generation> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<Disposable> last = new CompletableFuture<>();
        Thread interrupted = new Thread(() -> {
            try {
                Thread.currentThread().interrupt();
                generations.generations(TRACKED).subscribe().dispose();
                generations.rekeyed(g -> Mono.empty(), TRACKED).subscribe().dispose();
                assertThat(Thread.currentThread().isInterrupted()).as("the caller's interrupt is left alone").isTrue();
                assertThatThrownBy(generations.rekeyed(g -> Mono.empty(), TRACKED)::blockFirst)
                        .hasCauseInstanceOf(InterruptedException.class);
                Thread.currentThread().interrupt();
                last.complete(generations.rekeyed(g -> Mono.empty(), TRACKED).subscribe(seen::add));
            } catch (Throwable e) {
                last.completeExceptionally(e);
            }
        }, "interrupted-subscriber");
        interrupted.start();
        subscriptions.add(last.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        interrupted.join();
        awaitTracked(neighbours.size() + 1);
        assertNeighboursServed();
        eventually(() -> assertThat(seen).hasSize(1));
    }

    // ---- re-keying publishers that fail ------------------------------------------------------

    @Test
    void aRekeyPublisherThatThrowsAFatalErrorOnSubscribeDoesNotWedgeItsLane() throws InterruptedException {
        Schedulers.onHandleError("fault-injection", (t, e) -> { });
        try {
            Publisher<Object> fatal = s -> {
                throw new LinkageError("thrown by the re-keying publisher's subscribe");
            };
            subscriptions.add(generations.rekeyed(g -> fatal, TRACKED).subscribe(g -> { }, e -> { }));
            subscribeNeighbours(TRACKED);
            awaitTracked(neighbours.size() + 1);
            assertNeighboursServed(); // the faulty one is not waited for: its watcher was closed
            awaitTracked(neighbours.size());
            assertNeighboursServed();
        } finally {
            Schedulers.resetOnHandleError("fault-injection");
        }
    }

    /** Subscribers on every lane whose onError throws (its error is then Reactor's to drop). */
    @Test
    void subscribersWhoseOnErrorThrowsDoNotWedgeTheirLanes() throws InterruptedException {
        for (int i = 0; i <= Schedulers.DEFAULT_POOL_SIZE; i++) {
            subscriptions.add(generations.rekeyed(g -> Mono.error(new IllegalStateException("kms down")), TRACKED)
                    .subscribe(g -> { }, e -> {
                        throw new IllegalStateException("thrown by onError");
                    }));
        }
        int faulty = Schedulers.DEFAULT_POOL_SIZE + 1;
        subscribeNeighbours(TRACKED);
        awaitTracked(neighbours.size() + faulty);
        assertNeighboursServed();
        awaitTracked(neighbours.size());
        assertNeighboursServed();
    }

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

    /**
     * Requests from one thread, bumps from another and a cancel from a third, in every order:
     * no element beyond what was requested, and nothing left behind.
     */
    @Test
    void racingRequestsBumpsAndCancelsNeverDeliverBeyondDemand() throws Exception {
        ExecutorService racers = Executors.newFixedThreadPool(3);
        AtomicInteger beyondDemand = new AtomicInteger();
        try {
            for (int round = 0; round < 300; round++) {
                AtomicLong requested = new AtomicLong();
                AtomicLong received = new AtomicLong();
                BaseSubscriber<Generation> subscriber = new BaseSubscriber<>() {
                    @Override
                    protected void hookOnSubscribe(Subscription s) {
                        // no demand until the racing thread asks
                    }

                    @Override
                    protected void hookOnNext(Generation g) {
                        if (received.incrementAndGet() > requested.get()) {
                            beyondDemand.incrementAndGet();
                        }
                    }
                };
                (round % 2 == 0 ? generations.rekeyed(g -> Mono.delay(Duration.ofMillis(1)), TRACKED)
                        : generations.generations(TRACKED)).subscribe(subscriber);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> racing = List.of(
                        racers.submit(() -> {
                            go.await();
                            for (int k = 0; k < 5; k++) {
                                requested.incrementAndGet();
                                subscriber.request(1);
                            }
                            return null;
                        }),
                        racers.submit(() -> {
                            go.await();
                            for (int k = 0; k < 5; k++) {
                                device.bump();
                            }
                            return null;
                        }),
                        racers.submit(() -> {
                            go.await();
                            Thread.yield();
                            subscriber.cancel();
                            return null;
                        }));
                go.countDown();
                for (Future<?> f : racing) {
                    f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                }
            }
        } finally {
            racers.shutdownNow();
        }
        assertThat(beyondDemand).as("elements delivered beyond demand").hasValue(0);
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
                .isEqualTo(Waits.timedOut(device, 1));
        upstream.get().request(1);
        assertThat(overseer.awaitWatchers(WAIT)).isEqualTo(Waits.allAcknowledged());
        eventually(() -> assertThat(seen).hasSize(1));
        upstream.get().cancel();
    }
}
