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
}
