/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import reactor.core.CoreSubscriber;
import org.reactivestreams.Subscription;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;
import static dev.sysgenid.reactor.Eventually.await;
import static dev.sysgenid.reactor.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sysgenid.DriverProfile;
import dev.sysgenid.SimulatedDevice;
import dev.sysgenid.WaitResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.Disposable;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** {@link ReactiveGenerations#rekeyed}: re-key, then acknowledge; stale acks, error policies, timeouts, metrics. */
class RekeyedTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final GenerationOptions TRACKED = GenerationOptions.defaults().withTracked(true);

    private SimulatedDevice device;
    private ReactiveGenerations generations;
    private ReactiveOverseer overseer;

    /** The driver the simulated device behaves as; a subclass runs these tests on the other. */
    DriverProfile profile() {
        return DriverProfile.OURS;
    }

    @BeforeEach
    void open() {
        device = SimulatedDevice.create(41, profile());
        generations = ReactiveGenerations.of(device);
        overseer = generations.overseer();
    }

    @AfterEach
    void close() {
        overseer.close();
        device.close();
    }

    /** A hypervisor restore: the counter moves, and the overseer catches up with it. */
    private void restore() {
        device.bump();
        overseer.overseer().catchUp();
    }

    private void awaitTracked(int n) {
        eventually(() -> {
            assertThat(device.kernelCounts().trackedWatchers()).isEqualTo(n);
            assertThat(device.loop().size()).isGreaterThanOrEqualTo(n);
        });
    }

    private void assertReleased() {
        eventually(() -> {
            assertThat(device.kernelCounts().trackedWatchers()).isZero();
            assertThat(device.kernelCounts().outdatedWatchers()).isZero();
            assertThat(device.loop().size()).isZero();
        });
    }

    @Test
    void theOverseerWaitsExactlyForLiveOutdatedTrackedSubscribers() {
        Sinks.Empty<Void> slowDone = Sinks.empty();
        Disposable slow = generations.rekeyed(g -> slowDone.asMono(), TRACKED).subscribe();
        Disposable fast = generations.rekeyed(g -> Mono.empty(), TRACKED).subscribe();
        Disposable untracked = generations.generations().subscribe(); // never acknowledges
        generations.rekeyed(g -> Mono.never(), TRACKED).subscribe().dispose(); // not live any more
        awaitTracked(2);
        eventually(() -> assertThat(device.loop().size()).isEqualTo(3));

        restore();
        eventually(() -> assertThat(device.kernelCounts().outdatedWatchers()).isEqualTo(1)); // the fast one acknowledged
        StepVerifier.create(overseer.awaitWatchers(Duration.ofMillis(300)))
                .expectNext(Waits.timedOut(device, 1)) // the slow one only
                .verifyComplete();
        slowDone.tryEmitEmpty();
        StepVerifier.create(overseer.awaitWatchers(WAIT))
                .expectNext(Waits.allAcknowledged())
                .verifyComplete();

        slow.dispose();
        fast.dispose();
        untracked.dispose();
        assertReleased();
    }

    @Test
    void cancellingMidRekeyingReleasesAWaitingOverseer() {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean rekeyCancelled = new AtomicBoolean();
        Disposable sub = generations.rekeyed(g -> {
            started.countDown();
            return Mono.never().doOnCancel(() -> rekeyCancelled.set(true));
        }, TRACKED).subscribe();
        awaitTracked(1);
        restore();
        await(started);

        StepVerifier.create(overseer.awaitWatchers()) // no limit: only the cancel ends it
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(200))
                .then(sub::dispose)
                .expectNext(Waits.allAcknowledged())
                .expectComplete()
                .verify(WAIT);
        assertThat(rekeyCancelled).isTrue();
        assertReleased();
    }

    @Test
    void aStaleAckIsRekeyedAgainForTheNewestGenerationOnly() {
        List<Integer> rekeyedFor = new CopyOnWriteArrayList<>();
        StepVerifier.create(generations.rekeyed(g -> Mono.fromRunnable(() -> {
                    rekeyedFor.add(g.value());
                    if (rekeyedFor.size() == 1) {
                        device.bump(); // the counter moves during the first re-keying
                        device.bump();
                    }
                }), TRACKED))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .assertNext(g -> {
                    assertThat(g.value()).isEqualTo(44);
                    assertThat(g.previous()).isEqualTo(41);
                })
                .then(() -> assertThat(rekeyedFor).containsExactly(42, 44))
                .then(() -> assertThat(device.kernelCounts().outdatedWatchers()).isZero())
                .thenCancel()
                .verify(WAIT);
        assertReleased();
    }

    @Test
    void emitCurrentOnSubscribeRekeysTheStartingPointWithoutAWrite() {
        List<Generation> rekeyedFor = new CopyOnWriteArrayList<>();
        StepVerifier.create(generations.rekeyed(g -> Mono.fromRunnable(() -> rekeyedFor.add(g)),
                        TRACKED.withEmitCurrentOnSubscribe(true)))
                .assertNext(g -> assertThat(g.isInitial()).isTrue())
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .assertNext(g -> assertThat(g.value()).isEqualTo(42))
                .thenCancel()
                .verify(WAIT);
        assertThat(rekeyedFor).extracting(Generation::value).containsExactly(41, 42);
        assertReleased();
    }

    @Test
    void nothingIsRekeyedOrAcknowledgedUntilRequestedForEveryElement() {
        AtomicInteger calls = new AtomicInteger();
        StepVerifier.create(generations.rekeyed(g -> Mono.fromRunnable(calls::incrementAndGet), TRACKED), 0)
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .then(this::restore)
                .then(() -> assertHeldWithoutDemand(calls, 0))
                .thenRequest(1)
                .assertNext(g -> assertThat(g.value()).isEqualTo(43))
                .then(() -> assertThat(calls).hasValue(1))
                // the second element: demand is 0 again, so the next change waits, outdated
                .then(this::restore)
                .then(() -> assertHeldWithoutDemand(calls, 1))
                .thenRequest(1)
                .assertNext(g -> assertThat(g.value()).isEqualTo(44))
                .then(() -> assertThat(calls).hasValue(2))
                // the third
                .then(device::bump)
                .then(this::restore)
                .then(() -> assertHeldWithoutDemand(calls, 2))
                .thenRequest(1)
                .assertNext(g -> {
                    assertThat(g.value()).isEqualTo(46);
                    assertThat(g.previous()).isEqualTo(44);
                })
                .then(() -> assertThat(calls).hasValue(3))
                .then(() -> assertThat(device.kernelCounts().outdatedWatchers()).isZero())
                .thenCancel()
                .verify(WAIT);
        assertReleased();
    }

    /**
     * Without demand the change is neither re-keyed nor acknowledged: the tracked watcher stays
     * outdated and the overseer's wait runs into its limit because of it.
     */
    private void assertHeldWithoutDemand(AtomicInteger calls, int rekeyedSoFar) {
        StepVerifier.create(overseer.awaitWatchers(Duration.ofMillis(200)))
                .expectNext(Waits.timedOut(device, 1))
                .verifyComplete();
        assertThat(calls).hasValue(rekeyedSoFar);
        assertThat(device.kernelCounts().outdatedWatchers()).isEqualTo(1);
    }

    // ---- error policies ---------------------------------------------------------------------

    @Test
    void byDefaultAFailedRekeyingEndsTheSubscriptionAfterClosingItsWatcher() {
        StepVerifier.create(generations.rekeyed(g -> Mono.error(new IllegalStateException("kms down")), TRACKED))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .expectErrorSatisfies(e -> {
                    assertThat(e).hasMessage("kms down");
                    // closed before onError: the overseer no longer counts it
                    assertThat(device.kernelCounts().trackedWatchers()).isZero();
                })
                .verify(WAIT);
        assertReleased();
    }

    @Test
    void aRekeyFunctionThatThrowsOrReturnsNullIsAFailureToo() {
        StepVerifier.create(generations.rekeyed(g -> {
                    throw new IllegalArgumentException("thrown");
                }, TRACKED))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .expectErrorMessage("thrown")
                .verify(WAIT);
        StepVerifier.create(generations.rekeyed(g -> null, TRACKED))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .expectError(NullPointerException.class)
                .verify(WAIT);
        assertReleased();
    }

    @Test
    void retryRekeysTheSameGenerationWhileTheOverseerKeepsWaiting() {
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch failedTwice = new CountDownLatch(2);
        Sinks.Empty<Void> letThrough = Sinks.empty();
        GenerationOptions options = TRACKED.withRetries(3, Duration.ofMillis(1));
        StepVerifier.create(generations.rekeyed(g -> Mono.defer(() -> {
                    int n = attempts.incrementAndGet();
                    if (n <= 2) {
                        failedTwice.countDown();
                        return Mono.error(new IllegalStateException("flaky " + n));
                    }
                    return letThrough.asMono();
                }), options))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .then(() -> await(failedTwice))
                .then(() -> assertThat(device.kernelCounts().outdatedWatchers()).isEqualTo(1))
                .then(letThrough::tryEmitEmpty)
                .assertNext(g -> assertThat(g.value()).isEqualTo(42))
                .then(() -> assertThat(attempts).hasValue(3))
                .then(() -> assertThat(device.kernelCounts().outdatedWatchers()).isZero())
                .thenCancel()
                .verify(WAIT);
        assertReleased();
    }

    @Test
    void whenRetriesAreExhaustedTheLastErrorEndsTheSubscription() {
        AtomicInteger attempts = new AtomicInteger();
        StepVerifier.create(generations.rekeyed(
                        g -> Mono.error(new IllegalStateException("attempt " + attempts.incrementAndGet())),
                        TRACKED.withRetries(2, Duration.ofMillis(1))))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .expectErrorMessage("attempt 3")
                .verify(WAIT);
        assertReleased();
    }

    @Test
    void releaseStopsTrackingForTheFailedGenerationAndKeepsWatching() {
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        try {
            AtomicInteger calls = new AtomicInteger();
            GenerationOptions options = TRACKED.withErrorPolicy(RekeyErrorPolicy.RELEASE);
            StepVerifier.create(generations.rekeyed(g -> calls.incrementAndGet() == 1
                            ? Mono.error(new IllegalStateException("first fails")) : Mono.empty(), options))
                    .then(() -> awaitTracked(1))
                    .then(this::restore)
                    .then(() -> eventually(() -> assertThat(dropped).singleElement()
                            .satisfies(e -> assertThat(e).hasMessage("first fails"))))
                    .then(() -> {
                        assertThat(device.kernelCounts().trackedWatchers()).isZero(); // released
                        assertThat(device.loop().size()).isEqualTo(1); // still watching
                    })
                    .then(() -> StepVerifier.create(overseer.awaitWatchers(Duration.ofSeconds(5)))
                            .expectNextMatches(WaitResult::allAcknowledged).verifyComplete())
                    .then(device::bump)
                    .assertNext(g -> assertThat(g.value()).isEqualTo(43))
                    .then(() -> assertThat(device.kernelCounts().trackedWatchers()).isEqualTo(1)) // tracked again
                    .thenCancel()
                    .verify(WAIT);
        } finally {
            Hooks.resetOnErrorDropped();
        }
        assertReleased();
    }

    // ---- per-generation timeout, in virtual time -----------------------------------------------

    @Test
    void aRekeyingThatOutlivesItsTimeoutFailsPerPolicy() {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean rekeyCancelled = new AtomicBoolean();
        StepVerifier.withVirtualTime(() -> generations.rekeyed(g -> {
                    started.countDown();
                    return Mono.never().doOnCancel(() -> rekeyCancelled.set(true));
                }, TRACKED.withScheduler(VirtualTimeScheduler.get()).withRekeyTimeout(Duration.ofSeconds(5))))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .then(() -> await(started))
                .thenAwait(Duration.ofSeconds(4))
                .then(() -> assertThat(rekeyCancelled).isFalse())
                .then(() -> assertThat(device.kernelCounts().outdatedWatchers()).isEqualTo(1))
                .thenAwait(Duration.ofSeconds(1))
                .expectError(TimeoutException.class)
                .verify(WAIT);
        assertThat(rekeyCancelled).isTrue();
        assertReleased();
    }

    @Test
    void aRekeyTimeoutTooLongForNanosecondsIsAsGoodAsNone() {
        // before: every re-keying failed with ArithmeticException (long overflow) from the timer
        StepVerifier.create(generations.rekeyed(g -> Mono.empty(),
                        TRACKED.withRekeyTimeout(Duration.ofSeconds(Long.MAX_VALUE))))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .assertNext(g -> assertThat(g.value()).isEqualTo(42))
                .thenCancel()
                .verify(WAIT);
        assertReleased();
    }

    @Test
    void aRetryBackoffTooLongForNanosecondsWaitsInsteadOfFailing() {
        CountDownLatch firstFailed = new CountDownLatch(1);
        // before: the retry's timer failed the flux at once with ArithmeticException (long overflow)
        StepVerifier.create(generations.rekeyed(g -> Mono.error(new IllegalStateException("rekey failed"))
                                .doOnError(e -> firstFailed.countDown()),
                        TRACKED.withRetries(1, Duration.ofSeconds(Long.MAX_VALUE))))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .then(() -> await(firstFailed))
                .expectNoEvent(Duration.ofMillis(200)) // the retry waits for its (very long) backoff
                .thenCancel()
                .verify(WAIT);
        assertReleased();
    }

    @Test
    void aTimedOutRekeyingIsRetriedAfterTheBackoffInVirtualTime() {
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch firstStarted = new CountDownLatch(1);
        StepVerifier.withVirtualTime(() -> generations.rekeyed(g -> {
                    int n = attempts.incrementAndGet();
                    firstStarted.countDown();
                    return n == 1 ? Mono.never() : Mono.empty();
                }, TRACKED.withScheduler(VirtualTimeScheduler.get())
                        .withRekeyTimeout(Duration.ofSeconds(5))
                        .withRetries(1, Duration.ofSeconds(2))))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .then(() -> await(firstStarted))
                .thenAwait(Duration.ofSeconds(5)) // timed out: the retry waits for its backoff
                .then(() -> assertThat(attempts).hasValue(1))
                .thenAwait(Duration.ofSeconds(2))
                .assertNext(g -> assertThat(g.value()).isEqualTo(42))
                .then(() -> assertThat(attempts).hasValue(2))
                .thenCancel()
                .verify(WAIT);
        assertReleased();
    }

    // ---- metrics ----------------------------------------------------------------------------

    @Test
    void eachRekeyingIsTimedWithItsOutcome() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicInteger calls = new AtomicInteger();
        StepVerifier.create(generations.rekeyed(g -> Mono.fromRunnable(() -> {
                    if (calls.incrementAndGet() == 1) {
                        device.bump();
                    }
                }), TRACKED.withMetrics(registry, "tls-keys")))
                .then(() -> awaitTracked(1))
                .then(device::bump)
                .expectNextCount(1)
                .thenCancel()
                .verify(WAIT);
        assertThat(registry.get("sysgenid.rekey").tags("outcome", "stale", "subscriber", "tls-keys", "device", "simulated")
                .timer().count()).isEqualTo(1);
        assertThat(registry.get("sysgenid.rekey").tag("outcome", "acknowledged").timer().count()).isEqualTo(1);
        assertThat(registry.get("sysgenid.rekey").tag("outcome", "failed").timer().count()).isZero();
    }


    /** A cancel after a re-keying completed and was acknowledged is not a cancelled re-keying. */
    @Test
    void cancellingAfterACompletedRekeyingDoesNotRecordACancelledRekeying() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        reactor.test.StepVerifier.create(generations.rekeyed(g -> Mono.empty(), TRACKED.withMetrics(registry, "keys")))
                .then(() -> eventually(() -> assertThat(device.kernelCounts().trackedWatchers()).isEqualTo(1)))
                .then(device::bump)
                .expectNextCount(1)
                .then(() -> eventually(() -> assertThat(device.kernelCounts().outdatedWatchers()).isZero()))
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        assertThat(registry.get("sysgenid.rekey").tag("outcome", "acknowledged").timer().count()).isEqualTo(1);
        assertThat(registry.get("sysgenid.rekey").tag("outcome", "cancelled").timer().count())
                .as("re-keyings recorded as cancelled").isZero();
    }


    /** The error of a re-keying that outlived GenerationOptions.withRekeyTimeout should say so, and what to do. */
    @Test
    void aRekeyTimeoutSaysItIsTheRekeyTimeoutAndWhatToDo() {
        reactor.test.StepVerifier.create(generations.rekeyed(g -> Mono.never(),
                        TRACKED.withRekeyTimeout(Duration.ofMillis(50))))
                .then(() -> eventually(() -> assertThat(device.kernelCounts().trackedWatchers()).isEqualTo(1)))
                .then(device::bump)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(java.util.concurrent.TimeoutException.class)
                        .hasMessageContaining("withRekeyTimeout"))
                .verify(Duration.ofSeconds(10));
    }
}
