/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** A registration owns its watcher: nobody else can close it, tracking goes through it. */
class LoopRegistrationTest extends LoopFixture {

    @Test
    void noPublicMethodHandsOutTheWatcher() {
        assertThat(Arrays.stream(LoopRegistration.class.getMethods()).map(Method::getReturnType))
                .doesNotContain(Watcher.class);
    }

    @Test
    void trackingIsTurnedOnAndOffThroughTheRegistrationAndRefusedOnceItHasEnded() {
        LoopRegistration reg = device.watch(false, executor, (r, g) -> r.acknowledge(g));
        reg.setTracking(true);
        assertThat(reg.isTracked()).isTrue();
        assertThat(device.kernelCounts().trackedWatchers()).isEqualTo(1);
        reg.setTracking(false);
        assertThat(reg.isTracked()).isFalse();
        assertThat(device.kernelCounts().trackedWatchers()).isZero();
        reg.setTracking(true);
        reg.close();
        assertThat(device.kernelCounts().trackedWatchers()).as("untracked by the close").isZero();
        assertThatThrownBy(() -> reg.setTracking(true)).isInstanceOf(WatcherClosedException.class)
                .hasMessageContaining("registration");
        assertThat(device.kernelCounts().trackedWatchers()).isZero();
    }

    @Test
    void aRegistrationTheLoopEndedNoLongerSaysItIsTracked() throws InterruptedException {
        CountDownLatch ended = new CountDownLatch(1);
        LoopRegistration reg = device.watch(true, executor, acknowledging(cause -> ended.countDown()));
        assertThat(reg.isTracked()).isTrue();
        device.loop().close();
        assertThat(ended.await(10, TimeUnit.SECONDS)).as("the registration was told it ended").isTrue();
        assertThat(reg.isClosed()).isTrue();
        assertThat(device.kernelCounts().trackedWatchers()).as("the loop closed the watcher").isZero();
        // before: true, for a watcher the loop had closed and the driver no longer counted
        assertThat(reg.isTracked()).isFalse();
    }

    @Test
    void anAcknowledgementThroughAClosedRegistrationIsRefusedAtOnce() throws InterruptedException {
        // the loop thread is held in a listener, so the closed registration's fd stays open
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LoopRegistration blocker = device.watch(false, Runnable::run, (r, g) -> {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            r.acknowledge(g);
        });
        try {
            LoopRegistration reg = device.watch(true, executor, (r, g) -> { });
            int g = device.bump();
            assertThat(held.await(10, TimeUnit.SECONDS)).as("the loop called the holding listener").isTrue();
            reg.close();
            // before: ACKNOWLEDGED, written through a registration that had ended
            assertThatThrownBy(() -> reg.acknowledge(g)).isInstanceOf(WatcherClosedException.class)
                    .hasMessageContaining("registration");
        } finally {
            release.countDown();
            blocker.close();
        }
    }
}
