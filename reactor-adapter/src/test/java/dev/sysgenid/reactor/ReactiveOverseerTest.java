/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import static dev.sysgenid.reactor.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sysgenid.MissingCapabilityException;
import dev.sysgenid.DriverProfile;
import dev.sysgenid.SimulatedDevice;
import dev.sysgenid.WaitResult;
import dev.sysgenid.Watcher;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** {@link ReactiveOverseer}: trigger, wait and restore cycle as Monos; cancel interrupts the wait. */
class ReactiveOverseerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private SimulatedDevice device;
    private ReactiveGenerations generations;
    private Scheduler single;
    private ReactiveOverseer overseer;

    /** The driver the simulated device behaves as; a subclass runs these tests on the other. */
    DriverProfile profile() {
        return DriverProfile.OURS;
    }

    @BeforeEach
    void open() {
        device = SimulatedDevice.create(7, profile());
        generations = ReactiveGenerations.of(device);
        single = Schedulers.newBoundedElastic(1, 16, "overseer-test"); // one thread that may block
        overseer = generations.overseer(single);
    }

    @AfterEach
    void close() {
        overseer.close();
        single.dispose();
        device.close();
    }

    @Test
    void aNullSchedulerIsRefusedBeforeAnyFileIsOpened() {
        long fds = Eventually.openFds();
        assertThatThrownBy(() -> generations.overseer(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("blockingScheduler");
        assertThat(Eventually.openFds()).as("fds left open by a refused call").isEqualTo(fds);
    }

    @Test
    void triggerMovesTheCounterAndHonoursTheMinimum() {
        StepVerifier.create(overseer.trigger()).expectNext(8).verifyComplete();
        StepVerifier.create(overseer.trigger(20)).expectNext(20).verifyComplete();
        StepVerifier.create(overseer.trigger(3)).expectNext(21).verifyComplete();
        assertThat(device.currentGeneration()).isEqualTo(21);
    }

    @Test
    void triggerIsColdAndFailsTypedWithoutTheCapability() {
        Mono<Integer> trigger = overseer.trigger();
        assertThat(device.currentGeneration()).isEqualTo(7); // nothing happens before subscribe
        device.setTriggerCapability(false);
        StepVerifier.create(trigger).expectError(MissingCapabilityException.class).verify(WAIT);
    }

    @Test
    void aTimedOutWaitSaysHowManyWatchersWereStillOutdated() {
        Disposable a = generations.generations(GenerationOptions.defaults().withTracked(true)).subscribe();
        Disposable b = generations.generations(GenerationOptions.defaults().withTracked(true)).subscribe();
        eventually(() -> assertThat(device.kernelCounts().trackedWatchers()).isEqualTo(2));
        StepVerifier.create(overseer.restoreCycle(Duration.ofMillis(200)))
                .assertNext(w -> {
                    assertThat(Thread.currentThread().getName()).startsWith("overseer-test");
                    assertThat(w).isEqualTo(Waits.timedOut(device, 2));
                })
                .verifyComplete();
        a.dispose();
        b.dispose();
        StepVerifier.create(overseer.awaitWatchers(WAIT))
                .expectNext(Waits.allAcknowledged())
                .verifyComplete();
    }

    @Test
    void aRestoreCycleWaitsForEveryTrackedSubscriberToRekey() {
        Disposable subs = reactor.core.publisher.Flux.range(0, 20)
                .flatMap(i -> generations.rekeyed(g -> Mono.delay(Duration.ofMillis(i)),
                        GenerationOptions.defaults().withTracked(true)))
                .subscribe();
        eventually(() -> assertThat(device.kernelCounts().trackedWatchers()).isEqualTo(20));
        StepVerifier.create(overseer.restoreCycle(WAIT))
                .expectNext(Waits.allAcknowledged())
                .verifyComplete();
        assertThat(device.kernelCounts().outdatedWatchers()).isZero();
        subs.dispose();
    }

    @Test
    void cancellingAWaitInterruptsTheBlockedThreadAndLeavesNoInterruptBehind() {
        try (Watcher w = device.openWatcher()) { // tracked and never acknowledging: only cancel ends the wait
            w.setTracking(true);
            AtomicReference<Thread> blocked = new AtomicReference<>();
            Disposable wait = overseer.restoreCycle().subscribe(); // no limit: only the cancel ends it
            single.schedule(() -> blocked.set(Thread.currentThread())); // queued behind the wait
            eventually(() -> assertThat(device.kernelCounts().outdatedWatchers()).isEqualTo(1));
            assertThat(blocked.get()).isNull(); // the single thread is still in the wait
            long start = System.nanoTime();
            wait.dispose();
            eventually(() -> assertThat(blocked.get()).isNotNull()); // the thread came back
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            // the same thread runs the next wait normally: no interrupt was left on it
            w.acknowledge(device.currentGeneration());
            StepVerifier.create(overseer.awaitWatchers(Duration.ofSeconds(5)))
                    .expectNext(Waits.allAcknowledged())
                    .verifyComplete();
        }
    }

    @Test
    void aWaitNeverRunsOnTheSubscribingThread() {
        StepVerifier.create(Mono.delay(Duration.ofMillis(1)) // subscribes from a parallel (non-blocking) thread
                        .flatMap(x -> overseer.awaitWatchers(Duration.ofSeconds(1))))
                .assertNext(w -> {
                    assertThat(w.allAcknowledged()).isTrue();
                    assertThat(Thread.currentThread().getName()).startsWith("overseer-test");
                })
                .verifyComplete();
    }
}
