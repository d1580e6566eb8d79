/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import static dev.sysgenid.reactor.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;

import dev.sysgenid.AckResult;
import dev.sysgenid.DriverProfile;
import dev.sysgenid.SimulatedDevice;
import dev.sysgenid.WatcherClosedException;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.cumulative.CumulativeCounter;
import io.micrometer.core.instrument.cumulative.CumulativeTimer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.Scannable;
import reactor.core.Scannable.Attr;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.test.subscriber.TestSubscriber;

/**
 * What a Reactor user expects of the adapter: the next change as a Mono, a shared form, meters,
 * {@link Scannable} operators, discarded elements reported, and inline schedulers refused.
 */
class ReactorIdiomsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final GenerationOptions TRACKED = GenerationOptions.defaults().withTracked(true);

    private SimulatedDevice device;
    private ReactiveGenerations generations;

    @BeforeEach
    void open() {
        device = SimulatedDevice.create(41);
        generations = ReactiveGenerations.of(device);
        device.loop();
        device.currentGeneration();
    }

    @AfterEach
    void close() {
        device.close();
    }

    private void awaitTracked(int n) {
        eventually(() -> {
            assertThat(device.kernelCounts().trackedWatchers()).isEqualTo(n);
            assertThat(device.loop().size()).isEqualTo(n);
        });
    }

    private void assertReleased() {
        eventually(() -> {
            assertThat(device.kernelCounts().trackedWatchers()).isZero();
            assertThat(device.kernelCounts().outdatedWatchers()).isZero();
            assertThat(device.loop().size()).isZero();
        });
    }

    // ---- nextChange -------------------------------------------------------------------------

    @Test
    void nextChangeEmitsTheFirstChangeAlreadyAcknowledgedAndClosesItsWatcher() {
        StepVerifier.create(generations.nextChange(TRACKED))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .assertNext(g -> {
                    assertThat(g.value()).isEqualTo(42);
                    assertThat(g.isInitial()).isFalse();
                    assertThat(Thread.currentThread().getName()).startsWith("parallel-");
                    // written before the watcher closed: a write now would find the session ended (null)
                    assertThat(g.pendingAck().write()).isEqualTo(AckResult.ACKNOWLEDGED);
                })
                .verifyComplete();
        assertReleased();
    }

    @Test
    void nextChangeTimesOutWithATypedErrorAndClosesItsWatcher() {
        StepVerifier.withVirtualTime(() -> generations.nextChange(Duration.ofSeconds(5),
                        TRACKED.withScheduler(VirtualTimeScheduler.get())))
                .expectSubscription()
                .then(() -> awaitTracked(1))
                .expectNoEvent(Duration.ofSeconds(4))
                .then(() -> assertThat(device.loop().size()).isEqualTo(1)) // still waiting
                .thenAwait(Duration.ofSeconds(1))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(TimeoutException.class)
                        .isInstanceOfSatisfying(NextChangeTimeoutException.class, t -> {
                            assertThat(t.timeout()).isEqualTo(Duration.ofSeconds(5));
                            assertThat(t.source()).isEqualTo("simulated");
                        })
                        .hasMessageContaining("did not change within PT5S")
                        .hasMessageContaining("the watcher is closed"))
                .verify(WAIT);
        assertReleased();
    }

    @Test
    void nextChangeWithATimeoutStillEmitsAChangeThatComesInTime() {
        StepVerifier.create(generations.nextChange(Duration.ofMinutes(5), TRACKED))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .assertNext(g -> assertThat(g.value()).isEqualTo(42))
                .verifyComplete();
        assertReleased();
    }

    @Test
    void cancellingNextChangeClosesItsWatcher() {
        StepVerifier.create(generations.nextChange(TRACKED))
                .then(() -> awaitTracked(1))
                .thenCancel()
                .verify(WAIT);
        assertReleased();
    }

    @Test
    void nextChangeOnADeviceClosedUnderItFailsAndReleasesEverything() {
        long fds = Eventually.openFds();
        SimulatedDevice own = SimulatedDevice.create();
        StepVerifier.create(ReactiveGenerations.of(own).nextChange(Duration.ofMinutes(1), TRACKED))
                .then(() -> eventually(() -> assertThat(own.loop().size()).isEqualTo(1)))
                .then(own::close)
                .expectError(WatcherClosedException.class)
                .verify(WAIT);
        eventually(() -> assertThat(Eventually.openFds()).isEqualTo(fds));
    }

    @Test
    void nextChangeEndedByAnErrorDownstreamClosesItsWatcher() {
        StepVerifier.create(generations.nextChange(TRACKED).map(g -> {
                    throw new IllegalStateException("downstream of nextChange");
                }))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .expectErrorMessage("downstream of nextChange")
                .verify(WAIT);
        assertReleased();
    }

    @Test
    void nextChangeRefusesOptionsThatWouldMakeItTheCurrentGenerationAndANonPositiveTimeout() {
        assertThatThrownBy(() -> generations.nextChange(TRACKED.withEmitCurrentOnSubscribe(true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("device().currentGeneration()");
        assertThatThrownBy(() -> generations.nextChange(Duration.ZERO, TRACKED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be positive");
    }

    @Test
    void aTimeoutLongerThanReactorsTimersCountIsAsGoodAsTheLongestOne() {
        // before: nextChange(FOREVER) threw ArithmeticException (long overflow) from Reactor's timer
        Duration forever = ChronoUnit.FOREVER.getDuration();
        assertThat(TRACKED.withRekeyTimeout(forever).rekeyTimeout()).contains(GenerationOptions.LONGEST);
        StepVerifier.create(generations.nextChange(forever, TRACKED))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .assertNext(g -> assertThat(g.value()).isEqualTo(42))
                .expectComplete()
                .verify(WAIT);
        assertReleased();
    }

    /** {@link Schedulers#parallel()}, but a delayed task runs at once; the delays asked for are kept in {@code delays}. */
    private static Scheduler runningDelaysAtOnce(List<Duration> delays) {
        Scheduler parallel = Schedulers.parallel();
        return new Scheduler() {
            @Override
            public Disposable schedule(Runnable task) {
                return parallel.schedule(task);
            }

            @Override
            public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
                delays.add(Duration.ofNanos(unit.toNanos(delay)));
                return parallel.schedule(task);
            }

            @Override
            public Worker createWorker() {
                return parallel.createWorker();
            }
        };
    }

    @Test
    void aRetryBackoffLongerThanReactorsTimersCountWaitsTheLongestOne() {
        List<Duration> delays = new CopyOnWriteArrayList<>();
        AtomicInteger attempts = new AtomicInteger();
        StepVerifier.create(generations.rekeyed(
                        g -> attempts.incrementAndGet() == 1 ? Mono.error(new IllegalStateException("failed attempt"))
                                : Mono.empty(),
                        TRACKED.withScheduler(runningDelaysAtOnce(delays)).withRetries(1, ChronoUnit.FOREVER.getDuration())))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .assertNext(g -> assertThat(g.value()).isEqualTo(42))
                .thenCancel()
                .verify(WAIT);
        assertThat(attempts).hasValue(2);
        assertThat(delays).containsExactly(GenerationOptions.LONGEST);
        assertReleased();
    }

    @Test
    void aNullDurationIsRefusedWithItsName() {
        assertThatThrownBy(() -> TRACKED.withRekeyTimeout(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("timeout");
        assertThatThrownBy(() -> TRACKED.withRetries(1, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("backoff");
    }

    // ---- the shared form --------------------------------------------------------------------

    @Test
    void aSharedRekeyingIsOneWatcherAndOneRekeyingPerChangeForEverySubscriber() {
        AtomicInteger rekeyings = new AtomicInteger();
        Flux<Generation> shared = generations.rekeyedShared(g -> Mono.fromRunnable(rekeyings::incrementAndGet), TRACKED);
        TestSubscriber<Generation> a = TestSubscriber.create();
        TestSubscriber<Generation> b = TestSubscriber.create();
        shared.subscribe(a);
        shared.subscribe(b);
        awaitTracked(1);
        device.bump();
        eventually(() -> {
            assertThat(a.getReceivedOnNext()).extracting(Generation::value).containsExactly(42);
            assertThat(b.getReceivedOnNext()).extracting(Generation::value).containsExactly(42);
        });
        assertThat(a.getReceivedOnNext().get(0)).isSameAs(b.getReceivedOnNext().get(0));
        assertThat(rekeyings).hasValue(1);
        assertThat(device.kernelCounts().outdatedWatchers()).isZero(); // acknowledged once, for both
        a.cancel();
        device.bump(); // b alone keeps the watcher open
        eventually(() -> assertThat(b.getReceivedOnNext()).extracting(Generation::value).containsExactly(42, 43));
        assertThat(device.loop().size()).isEqualTo(1);
        b.cancel();
        assertReleased();
    }

    @Test
    void theSlowestSubscriberPacesTheSharedRekeyingAndTheOverseerWaitsBeyondOneBufferedChange() {
        AtomicInteger rekeyings = new AtomicInteger();
        Flux<Generation> shared = generations.rekeyedShared(g -> Mono.fromRunnable(rekeyings::incrementAndGet), TRACKED);
        TestSubscriber<Generation> fast = TestSubscriber.create();
        TestSubscriber<Generation> slow = TestSubscriber.builder().initialRequest(1).build();
        shared.subscribe(fast);
        shared.subscribe(slow);
        awaitTracked(1);
        device.bump();
        eventually(() -> assertThat(slow.getReceivedOnNext()).hasSize(1));
        device.bump(); // re-keyed and acknowledged into publish(1)'s buffer, held for the slow one
        eventually(() -> {
            assertThat(rekeyings).hasValue(2);
            assertThat(device.kernelCounts().outdatedWatchers()).isZero(); // acknowledged after the re-keying
        });
        device.bump(); // not re-keyed: waits in the device, the watcher outdated
        eventually(() -> assertThat(device.kernelCounts().outdatedWatchers()).isEqualTo(1));
        assertThat(rekeyings).hasValue(2);
        assertThat(fast.getReceivedOnNext()).extracting(Generation::value).containsExactly(42);
        slow.request(1);
        eventually(() -> {
            assertThat(fast.getReceivedOnNext()).extracting(Generation::value).containsExactly(42, 43);
            assertThat(slow.getReceivedOnNext()).extracting(Generation::value).containsExactly(42, 43);
            assertThat(rekeyings).hasValue(3); // 44 is now the buffered one
            assertThat(device.kernelCounts().outdatedWatchers()).isZero();
        });
        fast.cancel();
        slow.cancel();
        assertReleased();
    }

    // ---- Micrometer -------------------------------------------------------------------------

    @Test
    void changesAndWatcherCountsAreMeteredWithOneSetOfMetersHoweverManySubscriptions() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        GenerationOptions options = TRACKED.withMetrics(registry, "tls-keys");
        AtomicReference<Generation> seen = new AtomicReference<>();
        StepVerifier.create(generations.generations(options))
                .then(() -> awaitTracked(1))
                .then(() -> assertThat(registry.get("sysgenid.watchers.tracked").tag("device", "simulated")
                        .gauge().value()).isEqualTo(1.0))
                .then(device::bump)
                .assertNext(seen::set)
                .then(() -> {
                    assertThat(registry.get("sysgenid.watchers.outdated").gauge().value()).isEqualTo(1.0);
                    assertThat(registry.get("sysgenid.changes").tags("device", "simulated", "subscriber", "tls-keys")
                            .counter().count()).isEqualTo(1.0);
                })
                .then(() -> seen.get().ack().block())
                .then(() -> assertThat(registry.get("sysgenid.watchers.outdated").gauge().value()).isZero())
                .thenCancel()
                .verify(WAIT);
        int meters = registry.getMeters().size();
        assertThat(meters).isEqualTo(RekeyMetrics.Outcome.values().length + 3); // timers, counter, two gauges
        for (int i = 0; i < 20; i++) {
            StepVerifier.create(generations.nextChange(options))
                    .then(() -> awaitTracked(1))
                    .then(device::bump)
                    .expectNextCount(1)
                    .verifyComplete();
        }
        assertThat(registry.getMeters()).hasSize(meters);
        assertThat(registry.get("sysgenid.changes").counter().count()).isEqualTo(21.0);
        assertReleased();
        assertThat(registry.get("sysgenid.watchers.tracked").gauge().value()).isZero();
        assertThat(registry.get("sysgenid.watchers.tracked").gauge().getId().getBaseUnit()).isEqualTo("watchers");
    }

    @Test
    void whereTheDriverReportsNoCountsTheGaugesAreNaNAndChangesAreStillCounted() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SimulatedDevice production = SimulatedDevice.create(41, DriverProfile.PRODUCTION)) {
            StepVerifier.create(ReactiveGenerations.of(production).nextChange(TRACKED.withMetrics(registry, "tls-keys")))
                    .then(() -> eventually(() -> assertThat(production.kernelCounts().trackedWatchers()).isEqualTo(1)))
                    .then(() -> {
                        assertThat(registry.get("sysgenid.watchers.tracked").gauge().value()).isNaN();
                        assertThat(registry.get("sysgenid.watchers.outdated").gauge().value()).isNaN();
                    })
                    .then(production::bump)
                    .expectNextCount(1)
                    .verifyComplete();
        }
        assertThat(registry.get("sysgenid.changes").counter().count()).isEqualTo(1.0);
    }

    @Test
    void theWatcherGaugesReadNaNOnceTheirDeviceIsClosedAndFollowTheNextDeviceOfThatName() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        GenerationOptions options = TRACKED.withMetrics(registry, "tls-keys");
        try (SimulatedDevice first = SimulatedDevice.create()) { // named "simulated", as the device of the tests
            StepVerifier.create(ReactiveGenerations.of(first).generations(options))
                    .then(() -> eventually(() -> assertThat(first.kernelCounts().trackedWatchers()).isEqualTo(1)))
                    .then(() -> assertThat(registry.get("sysgenid.watchers.tracked").gauge().value()).isEqualTo(1.0))
                    .thenCancel()
                    .verify(WAIT);
            first.close();
            assertThat(registry.get("sysgenid.watchers.tracked").gauge().value()).isNaN();
            assertThat(registry.get("sysgenid.watchers.outdated").gauge().value()).isNaN();
        }
        StepVerifier.create(generations.generations(options))
                .then(() -> awaitTracked(1))
                .then(() -> assertThat(registry.get("sysgenid.watchers.tracked").gauge().value()).isEqualTo(1.0))
                .then(device::bump)
                .expectNextCount(1)
                .then(() -> assertThat(registry.get("sysgenid.watchers.outdated").gauge().value()).isEqualTo(1.0))
                .thenCancel()
                .verify(WAIT);
        assertThat(registry.getMeters()).hasSize(RekeyMetrics.Outcome.values().length + 3);
    }

    /** A registry whose counters and timers throw when they record, as a faulty registry might. */
    private static SimpleMeterRegistry throwingWhenRecording() {
        return new SimpleMeterRegistry() {
            @Override
            protected Counter newCounter(Meter.Id id) {
                return new CumulativeCounter(id) {
                    @Override
                    public void increment(double amount) {
                        throw new IllegalStateException("a counter that throws");
                    }
                };
            }

            @Override
            protected Timer newTimer(Meter.Id id, DistributionStatisticConfig config, PauseDetector pauses) {
                return new CumulativeTimer(id, Clock.SYSTEM, config, pauses, TimeUnit.SECONDS, false) {
                    @Override
                    protected void recordNonNegative(long amount, TimeUnit unit) {
                        throw new IllegalStateException("a timer that throws");
                    }
                };
            }
        };
    }

    @Test
    void aRegistryThatThrowsWhenRecordingNeitherHoldsUpNorEndsTheSubscriptions() {
        GenerationOptions options = TRACKED.withMetrics(throwingWhenRecording(), "tls-keys");
        StepVerifier.create(generations.nextChange(options))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .assertNext(g -> assertThat(g.value()).isEqualTo(42))
                .expectComplete()
                .verify(WAIT);
        assertReleased();
        StepVerifier.create(generations.rekeyed(g -> Mono.empty(), options))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .assertNext(g -> assertThat(g.value()).isEqualTo(43))
                .then(() -> assertThat(device.kernelCounts().outdatedWatchers()).isZero())
                .thenCancel()
                .verify(WAIT);
        assertReleased();
    }

    // ---- Scannable --------------------------------------------------------------------------

    /** Subscribes with {@code initial} demand and returns the subscription the subscriber was given. */
    private static Subscription subscribe(Flux<Generation> flux, long initial) {
        return subscribe(flux, initial, new CopyOnWriteArrayList<>());
    }

    /** The same, adding every element received to {@code received}. */
    private static Subscription subscribe(Flux<Generation> flux, long initial, List<Generation> received) {
        AtomicReference<Subscription> given = new AtomicReference<>();
        flux.subscribe(new BaseSubscriber<Generation>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                given.set(s);
                request(initial);
            }

            @Override
            protected void hookOnNext(Generation g) {
                received.add(g);
            }
        });
        return given.get();
    }

    private static Scannable step(Subscription s, String name) {
        return Scannable.from(s).parents().filter(p -> p.stepName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no step " + name + " above " + Scannable.from(s).stepName()));
    }

    @Test
    void theSubscriptionsOfGenerationsAreScannable() {
        Scheduler elastic = Schedulers.boundedElastic();
        Subscription s = subscribe(generations.generations(TRACKED.withScheduler(elastic)), 3);
        assertThat(Scannable.from(s).isScanAvailable()).isTrue();
        assertThat(Scannable.from(s).scanUnsafe(Attr.ACTUAL)).isInstanceOf(BaseSubscriber.class);
        Scannable watch = step(s, "sysgenid.watch");
        assertThat(watch.scan(Attr.RUN_ON)).isSameAs(elastic);
        assertThat(watch.scan(Attr.RUN_STYLE)).isEqualTo(Attr.RunStyle.ASYNC);
        assertThat(watch.scan(Attr.REQUESTED_FROM_DOWNSTREAM)).isEqualTo(3L);
        assertThat(watch.scan(Attr.CAPACITY)).isEqualTo(1);
        assertThat(watch.scan(Attr.BUFFERED)).isZero();
        assertThat(watch.scan(Attr.CANCELLED)).isFalse();
        assertThat(watch.scan(Attr.TERMINATED)).isFalse();
        awaitTracked(1);
        device.bump();
        eventually(() -> assertThat(watch.scan(Attr.REQUESTED_FROM_DOWNSTREAM)).isEqualTo(2L));
        s.cancel();
        assertThat(watch.scan(Attr.CANCELLED)).isTrue();
        assertReleased();
    }

    @Test
    void theSubscriptionsOfRekeyedAreScannable() {
        Flux<Generation> rekeyed = generations.rekeyed(g -> Mono.empty(), TRACKED);
        assertThat(Scannable.from(rekeyed).scan(Attr.RUN_STYLE)).isEqualTo(Attr.RunStyle.SYNC); // the guard
        Subscription s = subscribe(rekeyed, 5);
        Scannable coordinator = step(s, "sysgenid.rekeyed");
        assertThat(coordinator.scan(Attr.PREFETCH)).isEqualTo(1);
        assertThat(coordinator.scan(Attr.REQUESTED_FROM_DOWNSTREAM)).isEqualTo(5L);
        assertThat(coordinator.scan(Attr.ACTUAL).scan(Attr.ACTUAL)).isSameAs(s); // through Flux.using's to the guard
        assertThat(step(s, "sysgenid.watch").scan(Attr.RUN_ON)).isSameAs(Schedulers.parallel());
        awaitTracked(1);
        device.bump();
        eventually(() -> assertThat(coordinator.scan(Attr.REQUESTED_FROM_DOWNSTREAM)).isEqualTo(4L));
        s.cancel();
        assertThat(coordinator.scan(Attr.CANCELLED)).isTrue();
        assertReleased();
    }

    // ---- discarded elements -----------------------------------------------------------------

    @Test
    void anInitialElementOverwrittenInTheSlotGoesToTheDiscardHook() {
        List<Generation> discarded = new CopyOnWriteArrayList<>();
        Subscription s = subscribe(generations.generations(TRACKED.withEmitCurrentOnSubscribe(true))
                .doOnDiscard(Generation.class, discarded::add), 0);
        awaitTracked(1);
        device.bump();
        eventually(() -> assertThat(discarded).singleElement().satisfies(g -> {
            assertThat(g.isInitial()).isTrue();
            assertThat(g.value()).isEqualTo(41);
        }));
        s.cancel();
        eventually(() -> assertThat(discarded).extracting(Generation::value).containsExactly(41, 42));
        assertReleased();
    }

    @Test
    void aChangeDroppedByACancelGoesToTheDiscardHook() {
        List<Generation> discarded = new CopyOnWriteArrayList<>();
        Subscription s = subscribe(generations.generations(TRACKED).doOnDiscard(Generation.class, discarded::add), 0);
        awaitTracked(1);
        device.bump();
        Scannable watch = step(s, "sysgenid.watch");
        eventually(() -> assertThat(watch.scan(Attr.BUFFERED)).isEqualTo(1)); // the change waits in the slot
        assertThat(discarded).isEmpty();
        s.cancel();
        eventually(() -> assertThat(discarded).singleElement().satisfies(g -> assertThat(g.value()).isEqualTo(42)));
        assertReleased();
    }

    @Test
    void aChangeSupersededByANewerCounterValueBeforeItWasRequestedGoesToTheDiscardHook() {
        List<Generation> discarded = new CopyOnWriteArrayList<>();
        List<Generation> received = new CopyOnWriteArrayList<>();
        Subscription s = subscribe(generations.generations(TRACKED).doOnDiscard(Generation.class, discarded::add),
                0, received);
        awaitTracked(1);
        device.bump();
        Scannable watch = step(s, "sysgenid.watch");
        eventually(() -> assertThat(watch.scan(Attr.BUFFERED)).isEqualTo(1));
        device.bump(); // not reported (42 is not acknowledged), but read when the slot is emitted
        s.request(1);
        eventually(() -> assertThat(received).extracting(Generation::value).containsExactly(43));
        assertThat(discarded).extracting(Generation::value).containsExactly(42);
        s.cancel();
        assertReleased();
    }

    // ---- schedulers that would run subscriber code on the epoll thread ----------------------

    @Test
    void schedulersThatRunTasksInlineAreRefusedWithWhatToUseInstead() {
        for (Scheduler inline : List.of(Schedulers.immediate(), Schedulers.fromExecutor(Runnable::run))) {
            assertThatThrownBy(() -> TRACKED.withScheduler(inline))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("runs tasks inline")
                    .hasMessageContaining("Schedulers.parallel()")
                    .hasMessageContaining("Schedulers.boundedElastic()");
        }
        assertThat(TRACKED.withScheduler(Schedulers.boundedElastic()).scheduler()).isSameAs(Schedulers.boundedElastic());
        assertThat(TRACKED.withScheduler(Schedulers.single()).scheduler()).isSameAs(Schedulers.single());
        Scheduler disposed = Schedulers.newSingle("disposed-before-use");
        disposed.dispose();
        assertThat(TRACKED.withScheduler(disposed).scheduler()).isSameAs(disposed); // fails at subscription
    }

    @Test
    void aSchedulerThatCannotTakeATaskIsRefusedWithTheCauseAndItsProbeWorkerIsDisposed() {
        Scheduler noWorkers = new Scheduler() {
            @Override
            public Disposable schedule(Runnable task) {
                throw new IllegalStateException("no tasks here");
            }

            @Override
            public Worker createWorker() {
                throw new IllegalStateException("no workers here");
            }
        };
        assertThatThrownBy(() -> TRACKED.withScheduler(noWorkers))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("failed to take a task")
                .hasMessageContaining("Schedulers.parallel()")
                .hasRootCauseMessage("no workers here");
        AtomicInteger disposedWorkers = new AtomicInteger();
        Scheduler rejectingWorkers = new Scheduler() {
            @Override
            public Disposable schedule(Runnable task) {
                throw new IllegalStateException("no tasks here");
            }

            @Override
            public Worker createWorker() {
                return new Worker() {
                    @Override
                    public Disposable schedule(Runnable task) {
                        throw new IllegalStateException("this worker takes no task");
                    }

                    @Override
                    public void dispose() {
                        disposedWorkers.incrementAndGet();
                    }
                };
            }
        };
        assertThatThrownBy(() -> TRACKED.withScheduler(rejectingWorkers))
                .isInstanceOf(IllegalArgumentException.class)
                .hasRootCauseMessage("this worker takes no task");
        assertThat(disposedWorkers).hasValue(1);
    }
}
