/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * One meaning of a timeout everywhere: how long to wait at most, {@link Duration#ZERO} waits not
 * at all (it looks once), and the methods without a timeout wait without a limit.
 */
class ZeroTimeoutTest extends LoopFixture {

    @Test
    void aWatcherReadWithZeroLooksOnce() throws InterruptedException {
        try (Watcher w = device.openWatcher()) {
            assertThat(w.read(Duration.ZERO)).isEmpty();
            int g = device.bump();
            assertThat(w.read(Duration.ZERO)).isEqualTo(OptionalInt.of(g));
        }
    }

    @Test
    void anOverseerWaitWithZeroLooksOnceInsteadOfWaitingForever() throws Exception {
        try (Watcher w = device.openWatcher(); Overseer o = device.overseer()) {
            w.setTracking(true);
            assertThat(o.awaitWatchers(Duration.ZERO).outcome()).as("nobody outdated")
                    .isEqualTo(WaitResult.Outcome.ALL_ACKNOWLEDGED);
            o.trigger();
            // before: ZERO meant no limit, and this wait never ended
            CompletableFuture<WaitResult> zero = CompletableFuture.supplyAsync(() -> call(() -> o.awaitWatchers(Duration.ZERO)));
            assertThat(zero.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(WaitResult.Outcome.TIMED_OUT);
            CompletableFuture<WaitResult> latest = CompletableFuture.supplyAsync(
                    () -> call(() -> o.awaitLatestGeneration(Duration.ZERO)));
            assertThat(latest.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(WaitResult.Outcome.TIMED_OUT);
        }
    }

    @Test
    void theWaitsWithoutATimeoutLastUntilTheAcknowledgement() throws Exception {
        try (Watcher w = device.openWatcher(); Overseer o = device.overseer()) {
            w.setTracking(true);
            int g = o.trigger();
            CompletableFuture<WaitResult> all = CompletableFuture.supplyAsync(() -> call(o::awaitWatchers), executor);
            CompletableFuture<WaitResult> latest = CompletableFuture.supplyAsync(() -> call(o::awaitLatestGeneration), executor);
            assertThat(device.kernelCounts().outdatedWatchers()).isEqualTo(1);
            assertThat(all).isNotDone();
            w.acknowledge(g);
            assertThat(all.get(10, TimeUnit.SECONDS).allAcknowledged()).isTrue();
            assertThat(latest.get(10, TimeUnit.SECONDS).allAcknowledged()).isTrue();
        }
    }

    @Test
    void aTimeoutTooLongForNanosecondsWaitsAsLongAsItCan() throws Exception {
        try (Watcher w = device.openWatcher()) {
            int g = device.bump();
            // before: ArithmeticException from Duration.toNanos
            assertThat(w.read(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(OptionalInt.of(g));
        }
    }

    @Test
    void aNegativeTimeoutTooLongForNanosecondsWaitsNotAtAll() throws Exception {
        Duration farPast = Duration.ofSeconds(Long.MIN_VALUE);
        try (Watcher w = device.openWatcher(); Overseer o = device.overseer()) {
            // before: ArithmeticException from Duration.toNanos, on all four
            assertThat(w.read(farPast)).isEmpty();
            w.setTracking(true);
            o.trigger();
            assertThat(o.awaitWatchers(farPast).outcome()).isEqualTo(WaitResult.Outcome.TIMED_OUT);
            assertThat(o.awaitLatestGeneration(farPast).outcome()).isEqualTo(WaitResult.Outcome.TIMED_OUT);
            assertThat(o.restoreCycle(0, farPast).outcome()).isEqualTo(WaitResult.Outcome.TIMED_OUT);
        }
    }

    @Test
    void aNullTimeoutIsRefusedByName() {
        try (Watcher w = device.openWatcher(); Overseer o = device.overseer()) {
            assertThatThrownBy(() -> w.read(null)).isInstanceOf(NullPointerException.class).hasMessage("timeout");
            assertThatThrownBy(() -> o.awaitWatchers(null)).isInstanceOf(NullPointerException.class).hasMessage("timeout");
            int before = device.currentGeneration();
            assertThatThrownBy(() -> o.restoreCycle(0, null)).isInstanceOf(NullPointerException.class).hasMessage("timeout");
            assertThat(device.currentGeneration()).as("a refused restore cycle triggers nothing").isEqualTo(before);
        }
    }

    interface Wait {
        WaitResult run() throws InterruptedException;
    }

    private static WaitResult call(Wait wait) {
        try {
            return wait.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
