/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import dev.sysgenid.testing.OpenFds;

/**
 * For tests of the epoll loop with real fds: a fresh simulated device and a pool of four
 * listener threads per test; after each test, the library holds no fd it did not hold before.
 */
abstract class LoopFixture {

    protected SimulatedDevice device;
    protected ExecutorService executor;
    private int fdsBefore;

    @BeforeAll
    static void warmUp() throws InterruptedException {
        OpenFds.warmUp();
    }

    @BeforeEach
    void setUpDevice() {
        fdsBefore = OpenFds.count();
        device = SimulatedDevice.create(profile());
        executor = Executors.newFixedThreadPool(4);
    }

    /** The driver the simulated device behaves as; subclasses run the same tests on the other. */
    protected DriverProfile profile() {
        return DriverProfile.OURS;
    }

    @AfterEach
    void closeDeviceAndCheckFds() throws InterruptedException {
        device.close();
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
        assertThat(OpenFds.settle(fdsBefore)).as(() -> "open fds after the test: " + OpenFds.describe()).isEqualTo(fdsBefore);
    }

    /**
     * Waits until the device's loop has handled every event that fired and every task queued
     * before this call: a registration added and removed at once, whose watcher the loop
     * closes in its remove, after all of that (events first, then tasks in order).
     */
    static void loopHasCaughtUp(GenerationDevice device, Executor executor) throws InterruptedException {
        Watcher probe = device.openWatcher();
        device.loop().register(probe, executor, (r, g) -> { }).close();
        assertThat(waitFor(probe::isClosed)).as("the loop ran a task queued after everything else").isTrue();
    }

    /**
     * A listener that acknowledges every change as soon as it is called and hands the end of its
     * registration to {@code onTerminated} (which may throw: some tests check what the loop does
     * then).
     */
    static GenerationListener acknowledging(java.util.function.Consumer<SysgenidException> onTerminated) {
        return new GenerationListener() {
            @Override
            public void onGeneration(LoopRegistration registration, int generation) {
                registration.acknowledge(generation);
            }

            @Override
            public void onTerminated(SysgenidException cause) {
                onTerminated.accept(cause);
            }
        };
    }

    /** Polls {@code condition} every 10 ms for up to five seconds. */
    static boolean waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }
}
