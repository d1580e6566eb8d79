/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * The loop's lifecycle where it is closed from inside itself or while others register: the
 * loop ends, every registration it accepted is told its end exactly once, every register()
 * it did not accept throws, the loop's task submitted from its own thread runs, and no fd is
 * left open (the fixture counts them).
 */
class LoopLifecycleRacesTest extends LoopFixture {

    @Test
    void aListenerOnTheLoopThreadClosesTheLoopAndEveryRegistrationIsToldOnce() throws Exception {
        closeFromAListener(Runnable::run);
    }

    @Test
    void aListenerOnAPoolThreadClosesTheLoopAndEveryRegistrationIsToldOnce() throws Exception {
        closeFromAListener(executor);
    }

    private void closeFromAListener(Executor on) throws Exception {
        EpollLoop loop = device.loop();
        Map<Integer, AtomicInteger> told = new ConcurrentHashMap<>();
        List<LoopRegistration> regs = new ArrayList<>();
        CountDownLatch closed = new CountDownLatch(1);
        for (int i = 0; i < 5; i++) {
            AtomicInteger count = told.computeIfAbsent(i, k -> new AtomicInteger());
            boolean closer = i == 2;
            regs.add(device.watch(false, on, new GenerationListener() {
                @Override
                public void onGeneration(LoopRegistration r, int g) {
                    if (closer) {
                        loop.close();
                        closed.countDown();
                    }
                }

                @Override
                public void onTerminated(SysgenidException cause) {
                    count.incrementAndGet();
                }
            }));
        }
        device.bump();
        assertThat(closed.await(10, TimeUnit.SECONDS)).as("close() returned inside the listener").isTrue();
        assertThat(waitFor(() -> !loop.isAlive())).as("the loop thread ended").isTrue();
        assertThat(waitFor(() -> told.values().stream().allMatch(c -> c.get() >= 1))).isTrue();
        loopHasCaughtUp(device, executor); // a new loop: the device replaced the closed one
        assertThat(told.values()).allSatisfy(c -> assertThat(c).as("told once").hasValue(1));
        assertThat(regs).allSatisfy(r -> assertThat(r.isClosed()).isTrue());
    }

    @RepeatedTest(20)
    void registrationsRacingCloseAreEachRefusedOrToldTheirEndOnce() throws Exception {
        EpollLoop loop = device.loop();
        int threads = 4;
        int each = 25;
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger told = new AtomicInteger();
        AtomicInteger toldTwice = new AtomicInteger();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        List<Thread> registrars = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        Watcher w = device.openWatcher();
                        AtomicInteger once = new AtomicInteger();
                        try {
                            loop.register(w, executor, new GenerationListener() {
                                @Override
                                public void onGeneration(LoopRegistration r, int g) {
                                    r.acknowledge(g);
                                }

                                @Override
                                public void onTerminated(SysgenidException cause) {
                                    if (once.incrementAndGet() > 1) {
                                        toldTwice.incrementAndGet();
                                    }
                                    told.incrementAndGet();
                                }
                            });
                            accepted.incrementAndGet();
                        } catch (LoopEndedException e) {
                            refused.incrementAndGet();
                            assertThat(w.isClosed()).as("a refused registration closes its watcher").isTrue();
                        }
                    }
                } catch (Throwable e) {
                    unexpected.compareAndSet(null, e);
                }
            });
            th.start();
            registrars.add(th);
        }
        start.await();
        loop.close();
        for (Thread th : registrars) {
            th.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(unexpected.get()).isNull();
        assertThat(accepted.get() + refused.get()).isEqualTo(threads * each);
        assertThat(waitFor(() -> told.get() >= accepted.get())).as(() -> "told " + told + " of " + accepted).isTrue();
        loopHasCaughtUp(device, executor);
        assertThat(told).hasValue(accepted.get());
        assertThat(toldTwice).hasValue(0);
    }

    @Test
    void aListenerThatRegistersAgainWhenTheLoopEndsIsRefusedAndLeaksNothing() throws Exception {
        EpollLoop loop = device.loop();
        AtomicReference<Throwable> again = new AtomicReference<>();
        CountDownLatch told = new CountDownLatch(1);
        device.watch(false, Runnable::run, new GenerationListener() {
            @Override
            public void onGeneration(LoopRegistration r, int g) {
                r.acknowledge(g);
            }

            @Override
            public void onTerminated(SysgenidException cause) {
                try {
                    loop.register(device.openWatcher(), Runnable::run, (r, g) -> { });
                } catch (Throwable e) {
                    again.set(e);
                }
                told.countDown();
            }
        });
        loop.close();
        assertThat(told.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(again.get()).isInstanceOf(LoopEndedException.class);
    }

    @Test
    void aTaskSubmittedFromTheLoopThreadRunsWithoutAnyOtherWakeUp() throws Exception {
        EpollLoop loop = device.loop();
        CountDownLatch ran = new CountDownLatch(1);
        assertThat(loop.submit(() -> assertThat(loop.submit(ran::countDown)).isTrue())).isTrue();
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * Two threads close the device at once: the second close, like the first, returns only once
     * the loop has stopped and its registrations are gone (as {@link EpollLoop#close()} does for
     * every caller). The loop is held up by a listener on its own thread that blocks, against the
     * rules, until the second close has returned or given up.
     */
    @Test
    void aSecondDeviceCloseReturnsOnlyOnceTheLoopHasStopped() throws Exception {
        CountDownLatch inListener = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        device.watch(true, Runnable::run, (r, g) -> {
            inListener.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        EpollLoop loop = device.loop();
        device.bump();
        assertThat(inListener.await(10, TimeUnit.SECONDS)).isTrue();
        Thread first = new Thread(device::close, "first close");
        first.start();
        while (!loop.hasEnded()) {
            Thread.onSpinWait();
        }
        java.util.concurrent.CompletableFuture<Void> second = java.util.concurrent.CompletableFuture.runAsync(device::close);
        try {
            assertThat(second).as("the second close waits for the loop held up by its listener")
                    .failsWithin(java.time.Duration.ofMillis(200));
        } finally {
            release.countDown();
        }
        assertThat(second).succeedsWithin(java.time.Duration.ofSeconds(10));
        assertThat(loop.isAlive()).as("the loop thread when the second close returned").isFalse();
        assertThat(device.kernelCounts().trackedWatchers()).isZero();
        first.join(10_000);
    }
}
