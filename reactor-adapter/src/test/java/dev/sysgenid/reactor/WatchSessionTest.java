/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import static dev.sysgenid.reactor.Eventually.await;
import static dev.sysgenid.reactor.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sysgenid.AckResult;
import dev.sysgenid.LoopRegistration;
import dev.sysgenid.DriverProfile;
import dev.sysgenid.SimulatedDevice;

/** {@link WatchSession}'s tracking against its end, with the epoll loop held where the race is. */
class WatchSessionTest {

    private SimulatedDevice device;

    /** The driver the simulated device behaves as; a subclass runs these tests on the other. */
    DriverProfile profile() {
        return DriverProfile.OURS;
    }

    @BeforeEach
    void open() {
        device = SimulatedDevice.create(1, profile());
    }

    @AfterEach
    void close() {
        device.close();
    }

    /**
     * RELEASE turned tracking off; the re-keying of the next generation completes and its
     * acknowledgement would turn tracking back on, but the subscription was cancelled meanwhile.
     * Tracking must stay off once the registration's close() has returned. The loop is held
     * (it would close the fd, after which no write lands) so that the acknowledgement comes
     * exactly in the window between that close() and the fd's end.
     */
    @Test
    void trackingDoesNotComeBackOnceTheRegistrationIsClosed() {
        GenerationOptions options = GenerationOptions.defaults().withTracked(true)
                .withErrorPolicy(RekeyErrorPolicy.RELEASE);
        WatchSession session = WatchSession.open(device, options, null);
        AtomicReference<LoopRegistration> registration = new AtomicReference<>();
        CountDownLatch seen = new CountDownLatch(1);
        session.attach((r, g) -> {
            registration.set(r);
            seen.countDown();
        }, rejected -> { });
        eventually(() -> assertThat(device.loop().size()).isEqualTo(1));
        device.bump();
        await(seen);
        session.release(); // the re-keying failed under RELEASE
        assertThat(device.kernelCounts().trackedWatchers()).isZero();

        // hold the loop thread: an executor that blocks the loop while it hands a call over
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        LoopRegistration holder = device.loop().register(device.openWatcher(), task -> {
            held.countDown();
            await(letGo);
            ForkJoinPool.commonPool().execute(task);
        }, (r, g) -> r.acknowledge(g));
        eventually(() -> assertThat(device.loop().size()).isEqualTo(2));
        device.bump();
        await(held);
        try {
            registration.get().close(); // the cancel: tracking off, the fd's close queued for the loop
            assertThat(session.acknowledge(device.currentGeneration(), true)).isIn(AckResult.ACKNOWLEDGED, null);
            assertThat(device.kernelCounts().trackedWatchers()).as("tracked after close() returned").isZero();
        } finally {
            letGo.countDown();
        }
        session.close();
        holder.close();
        eventually(() -> assertThat(device.loop().size()).isZero());
    }
}
