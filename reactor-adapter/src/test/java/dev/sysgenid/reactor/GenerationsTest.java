/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import reactor.core.publisher.Mono;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import static dev.sysgenid.reactor.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;

import dev.sysgenid.DriverProfile;
import dev.sysgenid.SimulatedDevice;
import dev.sysgenid.WatcherClosedException;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The low-level {@link ReactiveGenerations#generations} flux on a simulated device and its real epoll loop. */
class GenerationsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final GenerationOptions TRACKED = GenerationOptions.defaults().withTracked(true);

    private SimulatedDevice device;
    private ReactiveGenerations generations;

    /** The driver the simulated device behaves as; a subclass runs these tests on the other. */
    DriverProfile profile() {
        return DriverProfile.OURS;
    }

    @BeforeEach
    void open() {
        device = SimulatedDevice.create(41, profile());
        generations = ReactiveGenerations.of(device);
        device.loop(); // the loop's own fds and the counter page exist before any fd count
        device.currentGeneration();
    }

    @AfterEach
    void close() {
        device.close();
    }

    private void assertReleased() {
        eventually(() -> {
            assertThat(device.kernelCounts().trackedWatchers()).isZero();
            assertThat(device.kernelCounts().outdatedWatchers()).isZero();
            assertThat(device.loop().size()).isZero();
        });
    }

    @Test
    void aChangeIsEmittedOnTheSchedulerAndTheNextOneOnlyAfterTheAck() {
        AtomicReference<Generation> seen = new AtomicReference<>();
        StepVerifier.create(generations.generations(TRACKED))
                .then(() -> eventually(() -> assertThat(device.kernelCounts().trackedWatchers()).isEqualTo(1)))
                .then(device::bump)
                .assertNext(g -> {
                    assertThat(Thread.currentThread().getName()).startsWith("parallel-");
                    assertThat(g.value()).isEqualTo(42);
                    assertThat(g.previous()).isEqualTo(41);
                    assertThat(g.isInitial()).isFalse();
                    assertThat(g.source()).isEqualTo("simulated");
                    seen.set(g);
                })
                .then(() -> assertThat(device.kernelCounts().outdatedWatchers()).isEqualTo(1))
                .then(device::bump) // not acknowledged yet: no second element
                .expectNoEvent(Duration.ofMillis(100))
                .then(() -> seen.get().ack().subscribe()) // stale: the newest comes next
                .assertNext(g -> {
                    assertThat(g.value()).isEqualTo(43);
                    assertThat(g.previous()).isEqualTo(41); // 42 was never accepted
                    seen.set(g);
                })
                .then(() -> seen.get().ack().subscribe())
                .then(() -> assertThat(device.kernelCounts().outdatedWatchers()).isZero())
                .then(device::bump)
                .assertNext(g -> assertThat(g.previous()).isEqualTo(43))
                .thenCancel()
                .verify(WAIT);
        assertReleased();
    }

    @Test
    void emitCurrentOnSubscribeGivesALateSubscriberItsStartingPoint() {
        device.bump();
        StepVerifier.create(generations.generations(GenerationOptions.defaults().withEmitCurrentOnSubscribe(true)))
                .assertNext(g -> {
                    assertThat(g.value()).isEqualTo(42);
                    assertThat(g.isInitial()).isTrue();
                    g.ack().subscribe(); // a no-op
                })
                .then(device::bump)
                .assertNext(g -> assertThat(g.value()).isEqualTo(43))
                .thenCancel()
                .verify(WAIT);
        assertReleased();
    }

    @Test
    void withoutDemandOneSlotIsOverwrittenByTheNewest() {
        StepVerifier.create(generations.generations(GenerationOptions.defaults().withEmitCurrentOnSubscribe(true)), 0)
                .then(() -> eventually(() -> assertThat(device.loop().size()).isEqualTo(1)))
                .then(device::bump)
                .then(device::bump)
                .expectNoEvent(Duration.ofMillis(100))
                .thenRequest(5)
                .assertNext(g -> { // the change replaced the initial element
                    assertThat(g.value()).isEqualTo(43);
                    assertThat(g.isInitial()).isFalse();
                })
                .expectNoEvent(Duration.ofMillis(50))
                .thenCancel()
                .verify(WAIT);
        assertReleased();
    }

    @Test
    void ackIsIdempotentAndANoOpAfterTheSubscriptionEnded() {
        Generation g = generations.generations(TRACKED)
                .doOnSubscribe(s -> device.bump())
                .blockFirst(WAIT); // take(1): the subscription ends here
        assertThat(g.value()).isEqualTo(42);
        assertReleased();
        StepVerifier.create(g.ack()).expectComplete().verify(WAIT);
        StepVerifier.create(g.ack()).expectComplete().verify(WAIT);
    }

    // ---- each end path closes the watcher ----------------------------------------------------

    @Test
    void cancelClosesTheWatcherAndReleasesTheOverseer() {
        long fds = Eventually.openFds();
        StepVerifier.create(generations.generations(TRACKED))
                .then(device::bump)
                .expectNextCount(1)
                .then(() -> assertThat(device.kernelCounts().outdatedWatchers()).isEqualTo(1))
                .thenCancel()
                .verify(WAIT);
        assertThat(device.kernelCounts().outdatedWatchers()).isZero(); // untracked at once by the cancel
        assertReleased();
        eventually(() -> assertThat(Eventually.openFds()).isEqualTo(fds));
    }

    @Test
    void completeDownstreamClosesTheWatcher() {
        StepVerifier.create(generations.generations(TRACKED).take(1))
                .then(device::bump)
                .expectNextMatches(g -> g.value() == 42)
                .expectComplete()
                .verify(WAIT);
        assertReleased();
    }

    @Test
    void theLoopsEndIsAnErrorAndClosesTheWatcher() {
        long fds = Eventually.openFds();
        SimulatedDevice own = SimulatedDevice.create();
        StepVerifier.create(ReactiveGenerations.of(own).generations(TRACKED))
                .then(() -> eventually(() -> assertThat(own.loop().size()).isEqualTo(1)))
                .then(own::close)
                .expectError(WatcherClosedException.class)
                .verify(WAIT);
        eventually(() -> assertThat(Eventually.openFds()).isEqualTo(fds)); // the device's own fds went too
    }

    @Test
    void subscribingToAClosedDeviceFailsCleanly() {
        SimulatedDevice own = SimulatedDevice.create();
        own.close();
        StepVerifier.create(ReactiveGenerations.of(own).generations())
                .expectError(WatcherClosedException.class)
                .verify(WAIT);
    }

    @Test
    void aSubscriberThatThrowsFromOnNextIsCancelledAndItsWatcherClosed() {
        List<Object> signals = new CopyOnWriteArrayList<>();
        generations.generations(TRACKED).subscribe(new CoreSubscriber<Generation>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Generation g) {
                throw new IllegalStateException("boom in onNext");
            }

            @Override
            public void onError(Throwable t) {
                signals.add(t);
            }

            @Override
            public void onComplete() {
                signals.add("complete");
            }
        });
        eventually(() -> assertThat(device.kernelCounts().trackedWatchers()).isEqualTo(1));
        device.bump();
        eventually(() -> assertThat(signals).singleElement()
                .isInstanceOfSatisfying(IllegalStateException.class, e -> assertThat(e).hasMessage("boom in onNext")));
        assertReleased();
    }

    @Test
    void aLambdaSubscriberThatThrowsIsCancelledToo() {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        generations.generations(TRACKED).subscribe(g -> {
            throw new IllegalStateException("boom");
        }, errors::add);
        eventually(() -> assertThat(device.kernelCounts().trackedWatchers()).isEqualTo(1));
        device.bump();
        eventually(() -> assertThat(errors).hasSize(1));
        assertReleased();
    }

    @Test
    void anOperatorErrorDownstreamCancelsAndCloses() {
        StepVerifier.create(generations.generations(TRACKED).map(g -> {
                    throw new IllegalArgumentException("downstream");
                }))
                .then(device::bump)
                .expectErrorMessage("downstream")
                .verify(WAIT);
        assertReleased();
    }

    @Test
    void aNonPositiveRequestEndsTheSubscriptionWithAnIllegalArgumentException() {
        for (Flux<Generation> flux : List.of(generations.generations(TRACKED),
                generations.rekeyed(g -> reactor.core.publisher.Mono.empty(), TRACKED))) {
            AtomicReference<Throwable> error = new AtomicReference<>();
            flux.subscribe(new reactor.core.publisher.BaseSubscriber<Generation>() {
                @Override
                protected void hookOnSubscribe(Subscription s) {
                    s.request(-1);
                }

                @Override
                protected void hookOnError(Throwable e) {
                    error.set(e);
                }
            });
            eventually(() -> assertThat(error.get()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("rule 3.9"));
        }
        assertReleased();
    }

    @Test
    void eachSubscriptionHasItsOwnWatcher() {
        Flux<Generation> flux = generations.generations(TRACKED);
        StepVerifier.create(Flux.merge(flux.take(1), flux.take(1)))
                .then(() -> eventually(() -> assertThat(device.kernelCounts().trackedWatchers()).isEqualTo(2)))
                .then(device::bump)
                .expectNextCount(2)
                .expectComplete()
                .verify(WAIT);
        assertReleased();
    }

    @Test
    void theImmediateSchedulerIsRefusedBecauseItWouldRunTheSubscriberOnTheLoopThread() {
        // before: accepted, and every signal ran on the epoll loop's thread
        assertThatThrownBy(() -> GenerationOptions.defaults().withScheduler(Schedulers.immediate()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("boundedElastic");
    }


    /** A subscriber whose onSubscribe throws: Reactor reports onError to it, so its subscription is over. */
    @Test
    void aSubscriberWhoseOnSubscribeThrowsLeavesNoTrackedWatcherBehind() {
        OnSubscribeThrower subscriber = new OnSubscribeThrower();
        generations.generations(TRACKED).subscribe(subscriber);
        assertThat(subscriber.errors).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("boom"));
        device.bump();
        eventually(() -> {
            assertThat(device.kernelCounts().outdatedWatchers()).as("outdated tracked watchers").isZero();
            assertThat(device.kernelCounts().trackedWatchers()).as("tracked watchers").isZero();
            assertThat(device.loop().size()).as("loop registrations").isZero();
        });
    }


    /** Rule 1.3: no signal may overlap onSubscribe. The initial element arrives while onSubscribe still runs. */
    @Test
    void noSignalArrivesOnAnotherThreadWhileOnSubscribeIsStillRunning() throws InterruptedException {
        AtomicBoolean inOnSubscribe = new AtomicBoolean();
        AtomicReference<String> overlap = new AtomicReference<>();
        CountDownLatch gotNext = new CountDownLatch(1);
        generations.generations(GenerationOptions.defaults().withEmitCurrentOnSubscribe(true))
                .subscribe(new CoreSubscriber<Generation>() {
                    Subscription s;
                    @Override
                    public void onSubscribe(Subscription s) {
                        this.s = s;
                        inOnSubscribe.set(true);
                        s.request(1);
                        try {
                            Thread.sleep(300); // finishing initialisation after the request
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        inOnSubscribe.set(false);
                    }
                    @Override
                    public void onNext(Generation g) {
                        if (inOnSubscribe.get()) {
                            overlap.compareAndSet(null, "onNext(" + g + ") on " + Thread.currentThread().getName());
                        }
                        gotNext.countDown();
                        s.cancel();
                    }
                    @Override
                    public void onError(Throwable t) {
                    }
                    @Override
                    public void onComplete() {
                    }
                });
        assertThat(gotNext.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(overlap.get()).as("a signal during onSubscribe").isNull();
    }


    /** Rule 1.3, the error form: request(0) from onSubscribe. */
    @Test
    void anInvalidRequestFromOnSubscribeIsNotSignalledConcurrentlyWithIt() throws InterruptedException {
        AtomicBoolean inOnSubscribe = new AtomicBoolean();
        AtomicReference<String> overlap = new AtomicReference<>();
        CountDownLatch gotError = new CountDownLatch(1);
        generations.generations(TRACKED).subscribe(new CoreSubscriber<Generation>() {
            @Override
            public void onSubscribe(Subscription s) {
                inOnSubscribe.set(true);
                s.request(0);
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inOnSubscribe.set(false);
            }
            @Override
            public void onNext(Generation g) {
            }
            @Override
            public void onError(Throwable t) {
                if (inOnSubscribe.get()) {
                    overlap.compareAndSet(null, "onError(" + t + ") on " + Thread.currentThread().getName());
                }
                gotError.countDown();
            }
            @Override
            public void onComplete() {
            }
        });
        assertThat(gotError.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(overlap.get()).as("a signal during onSubscribe").isNull();
    }


    /** nextChange with a timeout, on a disposed scheduler: the documented explanatory error, not Reactor's bare one. */
    @Test
    void nextChangeWithATimeoutOnADisposedSchedulerDoesNotClaimItWaitedForTheTimeout() {
        reactor.core.scheduler.Scheduler doomed = reactor.core.scheduler.Schedulers.newSingle("doomed");
        GenerationOptions options = GenerationOptions.defaults().withScheduler(doomed);
        doomed.dispose();
        List<String> claims = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 20; i++) {
            long start = System.nanoTime();
            Throwable e = generations.nextChange(Duration.ofSeconds(5), options)
                    .then(Mono.<Throwable>empty()).onErrorResume(Mono::just).block(Duration.ofSeconds(10));
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            if (e instanceof NextChangeTimeoutException) {
                claims.add("after " + waitedMs + " ms: " + e.getMessage());
            }
        }
        eventually(() -> assertThat(device.loop().size()).isZero());
        assertThat(claims).as("timeouts of 5 s reported at once on a disposed scheduler").isEmpty();
    }


    /** A scheduler that rejects because it is saturated (not disposed) is not reported as disposed. */
    @Test
    void aSaturatedSchedulerIsNotReportedAsDisposed() throws InterruptedException {
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0,
                TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(1));
        reactor.core.scheduler.Scheduler saturable = reactor.core.scheduler.Schedulers.fromExecutorService(pool);
        try {
            GenerationOptions options = GenerationOptions.defaults().withScheduler(saturable);
            CountDownLatch blocking = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            pool.execute(() -> { // the scheduler's one thread is busy for a while
                blocking.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(blocking.await(5, TimeUnit.SECONDS)).isTrue();
            pool.execute(() -> { }); // and its queue (one task) is full
            AtomicReference<Throwable> error = new AtomicReference<>();
            CountDownLatch failed = new CountDownLatch(1);
            generations.generations(options).subscribe(g -> { }, e -> {
                error.set(e);
                failed.countDown();
            });
            assertThat(failed.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(saturable.isDisposed()).isFalse();
            assertThat(error.get()).isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
            assertThat(error.get().getMessage()).as("the message of an error from a live, busy scheduler")
                    .doesNotContain("so it was disposed");
            release.countDown();
        } finally {
            saturable.dispose();
        }
    }
}
