/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.sysgenid.internal.SimulatedKernel;

/**
 * A watcher's first change comes from the device's page where the page can tell, and from
 * read(2) where it cannot; on both simulated drivers, every change is reported once, never the
 * generation the watcher was opened at, also where the counter moved between the open and the
 * watcher's look at the page, where it wraps, where a TRIGGER brings it back to an earlier
 * value, and for a watcher opened before the device had a loop.
 */
class FirstChangeOnBothDriversTest extends LoopFixture {

    @ParameterizedTest
    @EnumSource(value = DriverProfile.class, names = {"OURS", "PRODUCTION"})
    void aChangeBetweenTheOpenAndTheLookAtThePageIsReportedOnceAndTheNextToo(DriverProfile profile) throws Exception {
        AtomicReference<Runnable> afterOpen = new AtomicReference<>();
        try (HookedDevice d = new HookedDevice(new SimulatedKernel(5, profile), afterOpen)) {
            d.loop();
            afterOpen.set(() -> d.kernel.bumpUnlessClosed(0));
            List<Integer> seen = new CopyOnWriteArrayList<>();
            LoopRegistration reg = d.watch(false, executor, acknowledgingInto(seen));
            assertThat(waitFor(() -> seen.size() >= 1)).as("the change right after the open").isTrue();
            int next = (int) d.kernel.bumpUnlessClosed(0);
            assertThat(waitFor(() -> seen.size() >= 2)).as("the change after it").isTrue();
            loopHasCaughtUp(d, executor);
            assertThat(seen).containsExactly(6, next);
            reg.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = DriverProfile.class, names = {"OURS", "PRODUCTION"})
    void aWatcherOpenedBeforeTheDeviceHadALoopReportsEachChangeOnce(DriverProfile profile) throws Exception {
        try (HookedDevice d = new HookedDevice(new SimulatedKernel(5, profile), new AtomicReference<>())) {
            Watcher w = d.openWatcher(); // no page mapped yet
            int first = (int) d.kernel.bumpUnlessClosed(0);
            List<Integer> seen = new CopyOnWriteArrayList<>();
            LoopRegistration reg = d.loop().register(w, executor, acknowledgingInto(seen));
            assertThat(waitFor(() -> seen.size() >= 1)).isTrue();
            int second = (int) d.kernel.bumpUnlessClosed(0);
            assertThat(waitFor(() -> seen.size() >= 2)).isTrue();
            loopHasCaughtUp(d, executor);
            assertThat(seen).containsExactly(first, second);
            reg.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = DriverProfile.class, names = {"OURS", "PRODUCTION"})
    void aCounterThatWrapsOrComesBackIsReportedOnceAtEachStep(DriverProfile profile) throws Exception {
        // ours wraps from 0xFFFFFFFF to 0; the production driver from 0x7FFFFFFF with a minimum of 0
        int top = profile == DriverProfile.OURS ? 0xFFFF_FFFF : 0x7FFF_FFFF;
        try (HookedDevice d = new HookedDevice(new SimulatedKernel(0, profile), new AtomicReference<>())) {
            List<Integer> seen = new CopyOnWriteArrayList<>();
            LoopRegistration reg = d.watch(false, executor, acknowledgingInto(seen)); // opened at 0
            d.kernel.bumpUnlessClosed(top);
            assertThat(waitFor(() -> seen.size() >= 1)).isTrue();
            d.kernel.bumpUnlessClosed(0); // back to 0, the generation the watcher was opened at
            assertThat(waitFor(() -> seen.size() >= 2)).isTrue();
            d.kernel.bumpUnlessClosed(0);
            assertThat(waitFor(() -> seen.size() >= 3)).isTrue();
            loopHasCaughtUp(d, executor);
            assertThat(seen).containsExactly(top, 0, 1);
            reg.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = DriverProfile.class, names = {"OURS", "PRODUCTION"})
    void aWatcherOpenedAsTheCounterComesBackToItsOpenValueIsToldTheValueOnce(DriverProfile profile) throws Exception {
        int top = profile == DriverProfile.OURS ? 0xFFFF_FFFF : 0x7FFF_FFFF;
        AtomicReference<Runnable> afterOpen = new AtomicReference<>();
        try (HookedDevice d = new HookedDevice(new SimulatedKernel(0, profile), afterOpen)) {
            d.loop();
            // opened at 0, the page shows the top right after the open; then back to 0
            afterOpen.set(() -> d.kernel.bumpUnlessClosed(top));
            List<Integer> seen = new CopyOnWriteArrayList<>();
            Watcher w = d.openWatcher();
            d.kernel.bumpUnlessClosed(0);
            LoopRegistration reg = d.loop().register(w, executor, acknowledgingInto(seen));
            assertThat(waitFor(() -> !seen.isEmpty())).isTrue();
            loopHasCaughtUp(d, executor);
            assertThat(seen).as("outdated since its open: the current generation, once").containsExactly(0);
            reg.close();
        }
    }

    private static GenerationListener acknowledgingInto(List<Integer> seen) {
        return (r, g) -> {
            seen.add(g);
            r.acknowledge(g);
        };
    }

    /** A simulated device that runs a hook once, right after a file's open (before the watcher looks at the page). */
    private static final class HookedDevice extends WrappedKernelDevice {
        HookedDevice(SimulatedKernel kernel, AtomicReference<Runnable> afterOpen) {
            super(kernel, "hooked", file -> {
                Runnable hook = afterOpen.getAndSet(null);
                if (hook != null) {
                    hook.run();
                }
                return file;
            });
        }
    }
}
