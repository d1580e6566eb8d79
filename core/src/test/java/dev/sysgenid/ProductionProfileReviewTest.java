/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/**
 * Review of issue 16 (the production driver): findings of an adversarial review, each a test
 * that fails on the code reviewed. The production driver's arithmetic quoted below is its
 * {@code _bump_generation}: {@code counter = max(min_gen, 1 + counter)} in signed {@code int}
 * (the kernel wraps signed overflow), {@code min_gen} being the ioctl's argument cut to an int.
 */
class ProductionProfileReviewTest extends LoopFixture {

    @Override
    protected DriverProfile profile() {
        return DriverProfile.PRODUCTION;
    }

    /**
     * At 0x7fffffff, 1 + counter is INT_MIN, so {@code max(min, INT_MIN)} is {@code min} for every
     * negative {@code min}: TRIGGER(0x80000000..0xffffffff) sets the counter to that value there
     * (it is not ignored), and from such a negative counter a plain bump gives
     * {@code max(0, counter + 1) = 0}. The simulation gives 0 at once, and refuses to start above
     * 0x7fffffff, as if the production counter could never get there.
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
     * the counter, so none is outdated: read(2) says EAGAIN and poll is not readable. The
     * simulation marks every file outdated although nothing changed (the contract skips this
     * case as "not known").
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

    /**
     * GenerationListener.onTerminated is "called at most once". With a direct executor, an
     * onTerminated that throws is taken by {@code EpollLoop.fail} for a refusing executor, and
     * run a second time on the loop thread.
     */
    @Test
    void aThrowingOnTerminatedOnADirectExecutorIsCalledOnlyOnce() throws Exception {
        AtomicInteger terminated = new AtomicInteger();
        Watcher w = device.openWatcher();
        device.loop().register(w, Runnable::run, new GenerationListener() {
            @Override
            public void onGeneration(LoopRegistration registration, int generation) {
                throw new IllegalStateException("the listener fails");
            }

            @Override
            public void onTerminated(SysgenidException cause) {
                terminated.incrementAndGet();
                throw new IllegalStateException("and so does its onTerminated");
            }
        });
        device.bump();
        assertThat(waitFor(() -> terminated.get() > 0)).as("the registration ended").isTrue();
        loopHasCaughtUp(device, executor);
        assertThat(terminated.get()).as("onTerminated calls").isEqualTo(1);
    }

    /**
     * EpollLoop.arm re-adds the fd and looks again whenever an acknowledgement write of the
     * watcher (any, even a STALE one, which changes nothing in the driver) landed between its
     * ADD and its look, with no bound: while acknowledgements keep landing in that window and
     * no change comes, the loop thread never leaves arm (a busy loop of DEL and ADD, on the
     * simulation a pipe made and closed each time) and runs no other task: another
     * registration's close is not handled, so its watcher (its fd) is not closed. The hook puts
     * one stale acknowledgement into each window (what a thread retrying a stale
     * acknowledgement in a tight loop does by chance).
     */
    @Test
    void staleAcknowledgementsInEveryAddWindowDoNotStallTheLoopsTasks() throws Exception {
        AtomicReference<Watcher> target = new AtomicReference<>();
        AtomicBoolean hammer = new AtomicBoolean();
        AtomicInteger staleAcks = new AtomicInteger();
        try (AddHookDevice hooked = AddHookDevice.create(() -> {
            Watcher t = target.get();
            if (hammer.get() && t != null && !t.isClosed()) {
                t.acknowledge(0x1234_5678); // never the current generation: STALE, changes nothing
                staleAcks.incrementAndGet();
            }
        })) {
            Watcher other = hooked.openWatcher();
            LoopRegistration bystander = hooked.loop().register(other, executor, (r, g) -> r.acknowledge(g));
            loopHasCaughtUp(hooked, executor);
            Watcher t = hooked.openWatcher();
            target.set(t);
            hammer.set(true);
            LoopRegistration reg = null;
            try {
                reg = hooked.loop().register(t, executor, (r, g) -> r.acknowledge(g));
                assertThat(waitFor(() -> staleAcks.get() >= 3)).as("the loop is adding T").isTrue();
                bystander.close();
                assertThat(waitFor(other::isClosed)).as("the loop handled the bystander's close (ADDs of T so far: "
                        + staleAcks.get() + ")").isTrue();
            } finally {
                hammer.set(false);
            }
            reg.close();
            loopHasCaughtUp(hooked, executor);
        }
    }
}
