/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Adversarial review of issue 16: TRIGGER can bring the counter back to a generation the
 * registration was last called with (production: to 0x7fffffff, bump wraps it to 0, TRIGGER
 * 0x7fffffff again; ours likewise at 0xffffffff). The loop then calls the listener with the
 * same generation twice in a row, and the acknowledgement of the second call is taken for the
 * first call's acknowledging again (LoopRegistration.acknowledge compares the generation with
 * the last ended call's): the second call never ends, and the registration is never called
 * again: deaf while open.
 */
class R16bRecurringGenerationTest {

    @ParameterizedTest
    @EnumSource(value = DriverProfile.class, names = {"PRODUCTION", "OURS"})
    void aGenerationThatComesBackIsDeliveredAndTheRegistrationStaysLive(DriverProfile profile) throws Exception {
        int top = profile == DriverProfile.PRODUCTION ? 0x7fff_ffff : 0xffff_ffff;
        try (SimulatedDevice dev = SimulatedDevice.create(0, profile);
                SimulatedDevice other = SimulatedDevice.create(0, profile);
                EpollLoop loop = new EpollLoop("r16b")) {
            Overseer overseer = dev.overseer();
            BlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
            LoopRegistration reg = loop.register(dev.openWatcher(), Runnable::run, (r, g) -> {
                seen.add(g);
                r.acknowledge(g);
            });
            CountDownLatch blocking = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            LoopRegistration blocker = loop.register(other.openWatcher(), Runnable::run, (r, g) -> {
                blocking.countDown();
                try {
                    release.await(); // holds the loop thread while the counter goes round
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                r.acknowledge(g);
            });
            assertThat(overseer.trigger(top)).isEqualTo(top);
            assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo(top);

            other.bump();
            assertThat(blocking.await(5, TimeUnit.SECONDS)).as("the loop is held").isTrue();
            assertThat(dev.bump()).isEqualTo(0); // wraps
            assertThat(overseer.trigger(top)).isEqualTo(top); // the same generation as the last call
            release.countDown();
            assertThat(seen.poll(5, TimeUnit.SECONDS)).as("the change back to the top is delivered").isEqualTo(top);

            int next = dev.bump();
            assertThat(seen.poll(5, TimeUnit.SECONDS)).as("the registration is still called after it").isEqualTo(next);
            reg.close();
            blocker.close();
        }
    }
}
