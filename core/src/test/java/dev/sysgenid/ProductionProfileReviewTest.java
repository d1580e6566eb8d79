/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

import org.junit.jupiter.api.Test;

import dev.sysgenid.internal.Fds;
import dev.sysgenid.internal.LibC;

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
                // at least one stale acknowledgement landed in an ADD window of T (on the code reviewed,
                // the loop then re-adds T for ever; once fixed, it adds T once and goes on)
                assertThat(waitFor(() -> staleAcks.get() >= 1)).as("the loop is adding T").isTrue();
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

    /**
     * A loop that fails runs its shutdown twice ({@code run()} calls it in its catch and again
     * after it), so it closes its eventfd and its epoll fd twice. Between the two, the numbers
     * are free and another thread may get them for a file of its own (a listener told of the
     * end re-registers at once, say, and the device's new loop takes the lowest free numbers):
     * the second close then closes that file. A thread here takes the eventfd's number back the
     * moment it is free, as the next open(2) of any thread would; that file must stay open. The
     * window is a few microseconds, so the scenario runs a number of times: on the code
     * reviewed, a round loses the file now and then (one in tens, on a 2-core machine); with one close, none can.
     */
    @Test
    void aLoopThatFailsClosesItsFdsOnceAndNeverAFileThatReusedTheirNumbers() throws Exception {
        for (int round = 0; round < 150; round++) {
            assertThat(failALoopAndReuseItsEventfdNumber()).as("round " + round
                    + ": the file that took the failed loop's eventfd number is still open").isTrue();
        }
    }

    /** One round: whether the file that took the eventfd's number once it was free is still open. */
    private boolean failALoopAndReuseItsEventfdNumber() throws Exception {
        EpollLoop loop = new EpollLoop("failing");
        Field epfdField = EpollLoop.class.getDeclaredField("epfd");
        Field wakeField = EpollLoop.class.getDeclaredField("wakeFd");
        epfdField.setAccessible(true);
        wakeField.setAccessible(true);
        int ep = epfdField.getInt(loop);
        int wake = wakeField.getInt(loop);
        Function dup2 = NativeLibrary.getInstance("c").getFunction("dup2");
        BlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
        Watcher w = device.openWatcher();
        device.bump();
        loop.register(w, executor, (r, g) -> seen.add(g)); // outdated: called once its ADD is done
        assertThat(seen.poll(10, TimeUnit.SECONDS)).as("the loop added the watcher").isNotNull();
        int placeholder = Fds.eventfd();
        AtomicBoolean reclaimed = new AtomicBoolean();
        Thread reuser = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                int fd = LibC.fcntl(placeholder, 0 /* F_DUPFD: the lowest free number from wake on */, wake);
                if (fd == wake) {
                    reclaimed.set(true);
                    return;
                }
                if (fd >= 0) {
                    LibC.close(fd); // not free yet: a higher number, ours to close
                }
            }
        });
        reuser.start();
        int other = Fds.eventfd();
        try {
            assertThat(dup2.invokeInt(new Object[] {other, ep})).isEqualTo(ep); // its next epoll_wait fails
        } finally {
            LibC.close(other);
        }
        try {
            // wakes the wait in progress (on the old epoll instance, through the loop's eventfd)
            loop.register(device.openWatcher(), executor, (r, g) -> r.acknowledge(g));
        } catch (WatcherClosedException failedAlready) {
            // the loop was not in epoll_wait yet: its next one failed at once
        }
        reuser.join(15_000);
        assertThat(waitFor(() -> !loop.isAlive())).as("the loop failed and ended").isTrue();
        boolean stillOpen = LibC.fcntl(wake, 1, 0) >= 0;
        if (stillOpen && reclaimed.get()) {
            LibC.close(wake);
        }
        LibC.close(placeholder);
        assertThat(reclaimed.get()).as("the eventfd's number was taken back while free").isTrue();
        return stillOpen;
    }
}
