/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.sysgenid.internal.LibC;
import dev.sysgenid.internal.SimulatedKernel;

/**
 * {@link LoopRegistration#setTracking} racing {@link LoopRegistration#close}: once close has
 * returned, the watcher no longer counts for the overseer, whichever of the two ran first.
 */
class RegistrationTrackingRaceTest {

    @Test
    void trackingTurnedOnWhileTheRegistrationClosesIsUndoneAndRefused() throws Exception {
        AtomicReference<LoopRegistration> closeDuringTracking = new AtomicReference<>();
        SimulatedKernel kernel = new SimulatedKernel(0, DriverProfile.OURS);
        try (WrappedKernelDevice device = new WrappedKernelDevice(kernel, "race", file -> new ForwardingFile(file) {
            @Override
            public int ioctl(long request, long arg) {
                if (request == LibC.SYSGENID_SET_WATCHER_TRACKING && arg == 1) {
                    // another thread's close, landing after setTracking's check and before its ioctl
                    LoopRegistration r = closeDuringTracking.getAndSet(null);
                    if (r != null) {
                        r.close();
                    }
                }
                return super.ioctl(request, arg);
            }
        })) {
            // the loop thread is held in a listener, so it closes no fd while the test looks
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
                kernel.bumpUnlessClosed(0);
                assertThat(held.await(10, TimeUnit.SECONDS)).as("the loop called the holding listener").isTrue();
                LoopRegistration reg = device.watch(false, Runnable::run, (r, g) -> { });
                closeDuringTracking.set(reg);

                assertThatThrownBy(() -> reg.setTracking(true)).isInstanceOf(WatcherClosedException.class);
                assertThat(reg.isClosed()).isTrue();
                assertThat(reg.isTracked()).as("tracking of a closed registration").isFalse();
                // before the fix: 1, and the overseer's wait counted a closed registration
                assertThat(kernel.trackedWatchers()).as("tracked watchers after close returned").isZero();
            } finally {
                release.countDown();
                blocker.close();
            }
        }
    }
}
