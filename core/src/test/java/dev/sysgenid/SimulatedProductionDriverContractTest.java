/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * The contract against the simulated device that behaves as the production driver (runs
 * everywhere), and the simulation's arithmetic at the top of that driver's signed counter, from
 * starting values only this profile takes: the driver's bump is {@code counter = max(min_gen,
 * 1 + counter)} in signed {@code int} (the kernel wraps signed overflow), {@code min_gen} being
 * the ioctl's argument cut to an int.
 */
class SimulatedProductionDriverContractTest extends SimulatedDeviceContractTest {

    @Override
    protected DriverProfile profile() {
        return DriverProfile.PRODUCTION;
    }

    /** The production counter is signed: a device may start at a negative value, where TRIGGER at the top can put it. */
    @Test
    void aNegativeCounterStartsAndAPlainTriggerGivesZero() {
        try (SimulatedDevice d = SimulatedDevice.create(0x8000_0000, DriverProfile.PRODUCTION);
                Overseer o = d.overseer()) {
            assertThat(d.currentGeneration()).isEqualTo(0x8000_0000);
            assertThat(o.trigger(0)).as("max(0, INT_MIN + 1) = 0").isZero();
        }
    }

    /**
     * At 0x7fffffff, 1 + counter is INT_MIN, so {@code max(min, INT_MIN)} is {@code min} for every
     * negative {@code min}: TRIGGER(0x80000000..0xffffffff) sets the counter to that value there
     * (it is not ignored), and from such a negative counter a plain bump gives
     * {@code max(0, counter + 1) = 0}.
     */
    @Test
    void triggerWithANegativeMinimumAtTheTopSetsTheCounterToThatMinimumAsTheDriverDoes() {
        try (SimulatedDevice d = SimulatedDevice.create(0x7FFF_FFFF, DriverProfile.PRODUCTION);
                Overseer o = d.overseer()) {
            assertThat(o.trigger(0x8000_0000)).as("max((int) 0x80000000, 1 + 0x7fffffff) = INT_MIN").isEqualTo(0x8000_0000);
            assertThat(o.trigger(0)).as("max(0, INT_MIN + 1) = 0").isEqualTo(0);
        }
    }

    /**
     * At 0x7fffffff, TRIGGER(0x7fffffff) leaves the counter where it is ({@code max(0x7fffffff,
     * INT_MIN)}); the driver wakes its pollers, but every file's acknowledged value still equals
     * the counter, so none is outdated: read(2) says EAGAIN and poll is not readable.
     */
    @Test
    void triggerAtTheTopWithTheTopAsMinimumOutdatesNoWatcher() {
        try (SimulatedDevice d = SimulatedDevice.create(0x7FFF_FFFF, DriverProfile.PRODUCTION);
                Overseer o = d.overseer();
                Watcher w = d.openWatcher()) {
            assertThat(o.trigger(0x7FFF_FFFF)).as("the counter stays").isEqualTo(0x7FFF_FFFF);
            assertThat(w.tryRead()).as("acked == counter: the driver's read says EAGAIN").isEmpty();
            assertThat(w.isOutdated()).isFalse();
        }
    }


    @Test
    void aNoChangeTriggerNeverMakesAnUpToDateWatcherLookOutdated() throws Exception {
        try (SimulatedDevice dev = SimulatedDevice.create(0x7fff_ffff, DriverProfile.PRODUCTION);
                Overseer overseer = dev.overseer();
                Watcher w = dev.openWatcher()) {
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
