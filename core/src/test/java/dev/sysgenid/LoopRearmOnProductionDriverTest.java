/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link LoopRearmTest} on a simulated device that behaves as the production driver. */
class LoopRearmOnProductionDriverTest extends LoopRearmTest {

    @Override
    protected DriverProfile profile() {
        return DriverProfile.PRODUCTION;
    }

    /**
     * The acknowledgement lands between the loop's ADD (made while outdated) and its look at
     * the watcher, which then finds it up to date: the loop must still count that ADD as made
     * while outdated, and re-arm. The loop is held right after the ADD by a hook of the device
     * file, and the application acknowledges from this thread meanwhile.
     */
    @ParameterizedTest
    @EnumSource(AckPath.class)
    void anAcknowledgementBetweenTheAddAndTheLoopsLookStillLeadsToAReArm(AckPath path) throws Exception {
        Semaphore atAdd = new Semaphore(0);
        Semaphore proceed = new Semaphore(0);
        AtomicBoolean hold = new AtomicBoolean(true);
        try (AddHookDevice hooked = AddHookDevice.create(() -> {
            if (hold.compareAndSet(true, false)) {
                atAdd.release();
                proceed.acquireUninterruptibly();
            }
        })) {
            Watcher w = hooked.openWatcher();
            int g1 = hooked.bump();
            BlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
            LoopRegistration reg = hooked.loop().register(w, executor, (r, g) -> {
                seen.add(g);
                r.acknowledge(g);
            });
            assertThat(atAdd.tryAcquire(5, TimeUnit.SECONDS)).as("the loop added W and holds").isTrue();
            assertThat(path.acknowledge(reg, g1)).isEqualTo(AckResult.ACKNOWLEDGED);
            proceed.release();
            loopHasCaughtUp(hooked, executor); // the loop has looked at the edge of W's ADD
            int g2 = hooked.bump();
            Integer got = seen.poll(5, TimeUnit.SECONDS);
            while (got != null && got != g2) {
                got = seen.poll(5, TimeUnit.SECONDS);
            }
            assertThat(got).as("W's listener gets the change after the acknowledgement").isEqualTo(g2);
            reg.close();
        }
    }

    /**
     * Acknowledgements that land between the loop's ADD and its look (any, even a STALE one,
     * which changes nothing in the driver) must not keep the loop re-adding the fd: once, an
     * arm that redid its DEL and ADD for each of them, with no bound, never left arm while they
     * kept landing, and ran no other task: another registration's close was not handled, so
     * its watcher (its fd) was not closed. The hook puts
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
     * An application thread acknowledges in every ADD window of a registration on the
     * production driver (the hook plays it deterministically, as in the stale-acknowledgement
     * test above). Each such acknowledgement takes the mark
     * and queues one re-arm; a turn runs only one, and the shutdown re-arms no more: were it
     * to run the re-arms it drains, each ADD would queue the next for ever and close() would
     * never return.
     */
    @Test
    void closeReturnsWhileAcknowledgementsLandInEveryAddWindow() throws Exception {
        AtomicReference<Watcher> target = new AtomicReference<>();
        AtomicBoolean hammer = new AtomicBoolean(true);
        try (AddHookDevice hooked = AddHookDevice.create(() -> {
            Watcher t = target.get();
            if (hammer.get() && t != null && !t.isClosed()) {
                try {
                    t.acknowledge(0); // the current generation: written, it takes the mark
                } catch (WatcherClosedException ignored) {
                    // closed meanwhile
                }
            }
        })) {
            EpollLoop loop = hooked.loop();
            Watcher t = hooked.openWatcher();
            target.set(t);
            loop.register(t, Runnable::run, (r, g) -> r.acknowledge(g));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (loop.rearmCount() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(loop.rearmCount()).as("acknowledgements land in the ADD windows").isGreaterThanOrEqualTo(3);
            Thread closer = new Thread(loop::close, "closer");
            closer.start();
            try {
                closer.join(TimeUnit.SECONDS.toMillis(5));
                assertThat(closer.isAlive()).as("loop.close() returned (re-arms so far: " + loop.rearmCount()
                        + "); the loop thread is at " + loopStack())
                        .isFalse();
            } finally {
                hammer.set(false); // lets a hung shutdown finish
                closer.join();
            }
        }
    }

    private static String loopStack() {
        StringBuilder out = new StringBuilder();
        Thread.getAllStackTraces().forEach((th, stack) -> {
            if (th.getName().startsWith("sysgenid-epoll[")) {
                for (int i = 0; i < Math.min(12, stack.length); i++) {
                    out.append("\n    ").append(stack[i]);
                }
            }
        });
        return out.toString();
    }
}
