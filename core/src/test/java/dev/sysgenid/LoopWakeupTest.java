/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.sysgenid.internal.Errno;
import dev.sysgenid.internal.LibC;

/**
 * The loop's wake-up: an eventfd armed edge-triggered and never read, written once per burst.
 * A lost wake-up leaves a task in the inbox while the loop sleeps in epoll_wait with no
 * timeout: the task then never runs, and each wait here runs out its deadline.
 */
class LoopWakeupTest extends LoopFixture {

    private static final long DEADLINE_SECONDS = 10;

    /**
     * Threads submit tasks one after another, each waiting until its last one ran, so the loop
     * keeps going back to sleep between tasks and every submit races with the loop clearing the
     * wake-pending flag of the one before (the window where a wake-up can be lost).
     */
    @Test
    void everyTaskSubmittedFromManyThreadsRuns() throws Exception {
        EpollLoop loop = device.loop();
        int threads = 4;
        int rounds = 3000;
        AtomicInteger lost = new AtomicInteger();
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread s = new Thread(() -> {
                try {
                    for (int i = 0; i < rounds && lost.get() == 0; i++) {
                        CountDownLatch ran = new CountDownLatch(1);
                        assertThat(loop.submit(ran::countDown)).isTrue();
                        if (!ran.await(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                            lost.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "submitter-" + t);
            submitters.add(s);
            s.start();
        }
        for (Thread s : submitters) {
            s.join();
        }
        assertThat(lost).as("tasks that never ran: a wake-up was lost").hasValue(0);
    }

    /**
     * The eventfd's counter saturates at 0xfffffffffffffffe; a write then fails with EAGAIN and
     * wakes nobody. The loop never reads the counter, so a wake-up must get past that itself.
     */
    @Test
    void aSaturatedWakeUpCounterStillWakesTheLoop() throws Exception {
        EpollLoop loop = device.loop();
        int fd = loop.wakeFdForTest();
        long[] count = new long[1];
        assertThat(LibC.read(fd, count, 8) == 8 || LibC.errno() == Errno.EAGAIN).as("read the counter to 0").isTrue();
        assertThat(LibC.write(fd, new long[] {0xffff_ffff_ffff_fffeL}, 8)).as("fill it to the top").isEqualTo(8);
        assertThat(LibC.write(fd, new long[] {1L}, 8)).isEqualTo(-1);
        assertThat(LibC.errno()).as("a write at the top").isEqualTo(Errno.EAGAIN);
        try {
            // The first task may ride on a wake-up already in flight; the second one's write surely meets the top.
            for (int i = 0; i < 3; i++) {
                CountDownLatch ran = new CountDownLatch(1);
                assertThat(loop.submit(ran::countDown)).isTrue();
                assertThat(ran.await(DEADLINE_SECONDS, TimeUnit.SECONDS)).as("task %d ran", i).isTrue();
            }
        } finally {
            // If a wake-up was lost here, the loop sleeps with its flag set and its close could not
            // wake it either: empty the counter and wake it directly, so the test fails, not hangs.
            LibC.read(fd, count, 8);
            LibC.write(fd, new long[] {1L}, 8);
        }
    }
}
