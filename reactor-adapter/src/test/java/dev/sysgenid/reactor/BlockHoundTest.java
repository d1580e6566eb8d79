/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import static dev.sysgenid.reactor.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.OptionalInt;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sysgenid.Overseer;
import dev.sysgenid.SimulatedDevice;
import dev.sysgenid.Watcher;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * BlockHound is installed for every test of this module (blockhound-junit-platform) with
 * {@link SysgenidBlockHoundIntegration}: the project's blocking calls are caught on non-blocking
 * threads, and the adapter's own flows never trip it (checked after every test by {@link
 * NoBlockingCallsExtension}).
 */
class BlockHoundTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private SimulatedDevice device;

    @BeforeEach
    void open() {
        device = SimulatedDevice.create();
    }

    @AfterEach
    void close() {
        device.close();
    }

    @Test
    void aWatcherReadOnAParallelThreadIsCaught() {
        try (Watcher w = device.openWatcher()) {
            StepVerifier.create(Mono.fromCallable(() -> w.read(Duration.ofMillis(1))).subscribeOn(Schedulers.parallel()))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BlockingOperationError.class)
                            .hasMessageContaining("dev.sysgenid.Watcher#read"))
                    .verify(WAIT);
        }
        assertThat(RecordingBlockHoundIntegration.drain()).singleElement()
                .satisfies(t -> assertThat(t).contains("dev.sysgenid.Watcher#read").contains("parallel-"));
    }

    @Test
    void anOverseerWaitOnAParallelThreadIsCaught() {
        try (Overseer o = device.overseer()) {
            StepVerifier.create(Mono.fromCallable(() -> o.awaitWatchers(Duration.ofMillis(1))).subscribeOn(Schedulers.parallel()))
                    .expectError(BlockingOperationError.class)
                    .verify(WAIT);
            StepVerifier.create(Mono.fromCallable(() -> o.restoreCycle(0, Duration.ofMillis(1))).subscribeOn(Schedulers.single()))
                    .expectError(BlockingOperationError.class)
                    .verify(WAIT);
        }
        assertThat(RecordingBlockHoundIntegration.drain()).hasSize(2)
                .anySatisfy(t -> assertThat(t).contains("dev.sysgenid.Overseer#awaitWatchers"))
                .anySatisfy(t -> assertThat(t).contains("dev.sysgenid.Overseer#restoreCycle"));
    }

    @Test
    void theSameCallsOnABlockingCapableThreadAreFine() throws InterruptedException {
        try (Watcher w = device.openWatcher()) {
            StepVerifier.create(Mono.fromCallable(() -> w.read(Duration.ofMillis(1))).subscribeOn(Schedulers.boundedElastic()))
                    .expectNext(OptionalInt.empty())
                    .verifyComplete();
            assertThat(w.read(Duration.ofMillis(1))).isEmpty(); // and on the test's own thread
        }
    }

    @Test
    void theAdaptersFlowsOnParallelThreadsNeverTripIt() {
        ReactiveGenerations generations = ReactiveGenerations.of(device);
        try (ReactiveOverseer overseer = generations.overseer()) {
            GenerationOptions tracked = GenerationOptions.defaults().withTracked(true); // parallel by default
            Sinks.Empty<Void> allTracked = Sinks.empty();
            StepVerifier.create(Flux.range(0, 50)
                            .flatMap(i -> generations.rekeyed(g -> Mono.delay(Duration.ofMillis(i % 5)), tracked).take(2))
                            // subscribed from a parallel thread: the wait hops to boundedElastic
                            .mergeWith(allTracked.asMono()
                                    .publishOn(Schedulers.parallel())
                                    .then(overseer.restoreCycle(WAIT))
                                    .then(overseer.restoreCycle(WAIT))
                                    .then(Mono.empty())))
                    .then(() -> eventually(() -> assertThat(device.counts().trackedWatchers()).isEqualTo(50)))
                    .then(allTracked::tryEmitEmpty)
                    .expectNextCount(100)
                    .expectComplete()
                    .verify(WAIT);
        }
    }
}
