/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * Adversarial review of issue 16: the production profile's no-change TRIGGER (0x7fffffff at
 * 0x7fffffff) wakes every file with a byte written into its live pipe and read out again, and
 * the file's poll does not take the kernel's lock: a concurrent {@link Watcher#isOutdated()}
 * of an up-to-date watcher sees the byte and says "outdated", which the driver's poll never
 * says for a file that is not (read(2) then says EAGAIN).
 */
class R16bNoChangeTriggerTest {

    @Test
    void aNoChangeTriggerNeverMakesAnUpToDateWatcherLookOutdated() throws Exception {
        try (SimulatedDevice dev = SimulatedDevice.create(0x7fff_ffff, DriverProfile.PRODUCTION);
                Watcher w = dev.openWatcher()) {
            Overseer overseer = dev.overseer();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger falseOutdated = new AtomicInteger();
            AtomicInteger polls = new AtomicInteger();
            Thread poller = new Thread(() -> {
                while (!stop.get()) {
                    polls.incrementAndGet();
                    if (w.isOutdated()) {
                        falseOutdated.incrementAndGet();
                    }
                }
            }, "poller");
            poller.start();
            try {
                for (int i = 0; i < 200_000 && falseOutdated.get() == 0; i++) {
                    assertThat(overseer.trigger(0x7fff_ffff)).isEqualTo(0x7fff_ffff);
                }
            } finally {
                stop.set(true);
                poller.join();
            }
            assertThat(dev.currentGeneration()).isEqualTo(0x7fff_ffff);
            assertThat(w.readNow()).as("the watcher is up to date").isEmpty();
            assertThat(falseOutdated.get()).as("isOutdated() said true for an up-to-date watcher (of " + polls.get()
                    + " polls)").isZero();
        }
    }
}
