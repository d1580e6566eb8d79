/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.sysgenid.internal.turn.TurnExecutor;

/** The epoll loop with real fds (eventfds of the simulated device). */
class EpollLoopTest extends LoopFixture {

    /** A tracked watcher on the device's loop. */
    private LoopRegistration registerTracked(Executor on, GenerationListener listener) {
        return device.watch(true, on, listener);
    }

    @Test
    void aThousandWatchersOnOneThreadAllSeeOneBumpOnceAndAcknowledge() throws Exception {
        int n = 1000;
        AtomicInteger calls = new AtomicInteger();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch acked = new CountDownLatch(n);
        List<LoopRegistration> regs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            regs.add(registerTracked(executor, (reg, gen) -> {
                calls.incrementAndGet();
                threads.add(Thread.currentThread().getName());
                assertThat(reg.acknowledge(gen)).isEqualTo(AckResult.ACKNOWLEDGED);
                acked.countDown();
            }));
        }
        try (Overseer overseer = device.overseer()) {
            overseer.trigger();
            assertThat(acked.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(overseer.awaitWatchers(Duration.ofSeconds(30)).allAcknowledged()).isTrue();
        }
        loopHasCaughtUp(device, executor);
        assertThat(calls).as("no watcher was called twice").hasValue(n);
        assertThat(threads).noneMatch(t -> t.startsWith("sysgenid-epoll"));
        assertThat(device.loop().size()).isEqualTo(n);
        regs.forEach(LoopRegistration::close);
        assertThat(device.kernelCounts().trackedWatchers()).as("close() untracks at once").isZero();
    }

    @Test
    void aStaleAcknowledgementBringsTheNewestGenerationNotAQueue() throws Exception {
        List<Integer> seen = new ArrayList<>();
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        int[] last = new int[1];
        Watcher w = device.openWatcher();
        device.loop().register(w, executor, (reg, gen) -> {
            synchronized (seen) {
                seen.add(gen);
            }
            first.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (reg.acknowledge(gen) == AckResult.ACKNOWLEDGED && gen == last[0]) {
                done.countDown();
            }
        });
        device.bump();
        assertThat(first.await(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 50; i++) {
            last[0] = device.bump();
        }
        release.countDown();
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        synchronized (seen) {
            assertThat(seen).hasSize(2).endsWith(last[0]);
        }
    }

    @Test
    void registrationsFromManyThreadsWhileBumpsFireAllEndUpToDate() throws Exception {
        int threads = 8;
        int perThread = 100;
        ExecutorService registrars = Executors.newFixedThreadPool(threads);
        List<LoopRegistration> regs = new ArrayList<>();
        CountDownLatch registered = new CountDownLatch(threads * perThread);
        try {
            for (int t = 0; t < threads; t++) {
                registrars.execute(() -> {
                    for (int i = 0; i < perThread; i++) {
                        LoopRegistration r = registerTracked(executor, (reg, gen) -> reg.acknowledge(gen));
                        synchronized (regs) {
                            regs.add(r);
                        }
                        registered.countDown();
                    }
                });
            }
            for (int i = 0; i < 20; i++) {
                device.bump();
                Thread.sleep(5);
            }
            assertThat(registered.await(30, TimeUnit.SECONDS)).isTrue();
            device.bump();
            try (Overseer overseer = device.overseer()) {
                assertThat(overseer.awaitWatchers(Duration.ofSeconds(30)).allAcknowledged()).isTrue();
            }
            assertThat(device.kernelCounts().outdatedWatchers()).isZero();
            assertThat(device.kernelCounts().trackedWatchers()).isEqualTo(threads * perThread);
        } finally {
            registrars.shutdownNow();
            synchronized (regs) {
                regs.forEach(LoopRegistration::close);
            }
        }
        assertThat(waitFor(() -> device.kernelCounts().trackedWatchers() == 0)).isTrue();
        assertThat(device.loop().isAlive()).isTrue();
    }

    @Test
    void closingTheLoopWithEventsPendingClosesEveryWatcherAndTellsEveryListener() throws Exception {
        int n = 200;
        CountDownLatch terminated = new CountDownLatch(n);
        AtomicInteger generations = new AtomicInteger();
        EpollLoop loop = device.loop();
        List<Watcher> watchers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Watcher w = device.openWatcher();
            w.setTracking(true);
            watchers.add(w);
            loop.register(w, executor, new GenerationListener() {
                @Override
                public void onGeneration(LoopRegistration reg, int gen) {
                    generations.incrementAndGet(); // never acknowledges: stays outdated
                }

                @Override
                public void onTerminated(SysgenidException cause) {
                    terminated.countDown();
                }
            });
        }
        device.bump();
        loop.close();
        assertThat(loop.isAlive()).isFalse();
        assertThat(terminated.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(watchers).allMatch(Watcher::isClosed);
        assertThat(device.kernelCounts().trackedWatchers()).isZero();
        assertThat(device.kernelCounts().outdatedWatchers()).isZero();
        Watcher late = device.openWatcher();
        assertThatThrownBy(() -> loop.register(late, executor, (r, g) -> { }))
                .isInstanceOf(WatcherClosedException.class);
        assertThat(late.isClosed()).as("a refused registration still closes the watcher it owns").isTrue();
    }

    @Test
    void closingARegistrationClosesItsWatcherAndReleasesTheOverseer() throws Exception {
        Watcher w = device.openWatcher();
        w.setTracking(true);
        CountDownLatch called = new CountDownLatch(1);
        LoopRegistration reg = device.loop().register(w, executor, (r, g) -> called.countDown());
        try (Overseer overseer = device.overseer()) {
            overseer.trigger();
            assertThat(called.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(overseer.awaitWatchers(Duration.ofMillis(100)).outcome()).isEqualTo(WaitResult.Outcome.TIMED_OUT);
            reg.close();
            reg.close();
            assertThat(overseer.awaitWatchers(Duration.ofSeconds(5)).allAcknowledged()).isTrue();
        }
        assertThat(waitFor(w::isClosed)).isTrue();
        assertThat(waitFor(() -> device.loop().size() == 0)).isTrue();
    }

    /**
     * Call #1 acknowledges, call #2 starts, call #1 acknowledges the same generation again:
     * that second acknowledgement must end nothing (not call #2, which has not acknowledged), so
     * no third call starts while call #2 runs and no change is delivered twice. The loop's
     * hand-offs are counted on the loop thread itself, and the check waits until the loop has
     * handled everything that came before ({@link #loopHasCaughtUp}): no sleep decides the
     * outcome.
     */
    @Test
    void acknowledgingTwiceDoesNotBringTheSameChangeTwice() throws Exception {
        AtomicInteger handedOver = new AtomicInteger();
        Executor counting = task -> {
            handedOver.incrementAndGet();
            executor.execute(task);
        };
        List<Integer> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch firstAcked = new CountDownLatch(1);
        CountDownLatch ackAgain = new CountDownLatch(1);
        CountDownLatch firstDone = new CountDownLatch(1);
        CountDownLatch secondStarted = new CountDownLatch(1);
        CountDownLatch releaseSecond = new CountDownLatch(1);
        CountDownLatch thirdAcked = new CountDownLatch(1);
        Watcher w = device.openWatcher();
        device.loop().register(w, counting, (reg, gen) -> {
            int call = seen.size();
            seen.add(gen);
            if (call == 0) {
                reg.acknowledge(gen);
                firstAcked.countDown();
                await(ackAgain);
                reg.acknowledge(gen); // the duplicate
                firstDone.countDown();
            } else if (call == 1) {
                secondStarted.countDown();
                await(releaseSecond);
                reg.acknowledge(gen);
            } else {
                reg.acknowledge(gen);
                thirdAcked.countDown();
            }
        });
        int g1 = device.bump();
        assertThat(firstAcked.await(5, TimeUnit.SECONDS)).isTrue();
        int g2 = device.bump();
        assertThat(secondStarted.await(5, TimeUnit.SECONDS)).isTrue();
        ackAgain.countDown();
        assertThat(firstDone.await(5, TimeUnit.SECONDS)).isTrue();
        int g3 = device.bump();
        loopHasCaughtUp(device, executor);
        assertThat(handedOver).as("listener calls handed over while call #2 had not acknowledged; seen " + seen).hasValue(2);
        releaseSecond.countDown();
        assertThat(thirdAcked.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).containsExactly(g1, g2, g3);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void closingAnOverseerEndsItsWaitWithATypedError() throws Exception {
        Watcher w = device.openWatcher();
        w.setTracking(true);
        Overseer overseer = device.overseer();
        overseer.trigger();
        java.util.concurrent.CompletableFuture<Throwable> wait = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                overseer.awaitWatchers();
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Thread.sleep(200);
        overseer.close();
        assertThat(wait.get(5, TimeUnit.SECONDS)).isInstanceOf(WatcherClosedException.class);
        w.close();
    }

    @Test
    void anAlreadyOutdatedWatcherIsReportedAtOnce() throws Exception {
        Watcher w = device.openWatcher();
        int g = device.bump();
        CountDownLatch called = new CountDownLatch(1);
        int[] seen = new int[1];
        device.loop().register(w, executor, (r, gen) -> {
            seen[0] = gen;
            called.countDown();
        });
        assertThat(called.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(seen[0]).isEqualTo(g);
    }

    /**
     * The watcher is outdated before the loop adds it to epoll: on the production driver that
     * epoll registration gets one edge and no other, so the loop must arm it again.
     */
    @Test
    void aRegistrationMadeWhileOutdatedHearsEveryLaterChange() throws Exception {
        Watcher w = device.openWatcher();
        int first = device.bump();
        BlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
        device.loop().register(w, executor, (r, gen) -> {
            seen.add(gen);
            r.acknowledge(gen);
        });
        assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo(first);
        for (int i = 1; i <= 3; i++) {
            int g = device.bump();
            assertThat(seen.poll(5, TimeUnit.SECONDS)).as("change %d after the registration", i).isEqualTo(g);
        }
        assertThat(seen).isEmpty();
    }

    @Test
    void anExecutorThatRejectsEndsTheRegistrationWithoutKillingTheLoop() throws Exception {
        Watcher w = device.openWatcher();
        ExecutorService dead = Executors.newSingleThreadExecutor();
        dead.shutdown();
        device.loop().register(w, dead, (r, g) -> { });
        device.bump();
        assertThat(waitFor(w::isClosed)).isTrue();
        assertThat(device.loop().isAlive()).isTrue();
    }

    /** Records how the loop uses a {@link TurnExecutor}; runs the flushed tasks on the pool. */
    private final class RecordingTurnExecutor implements TurnExecutor {
        final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        private final List<Runnable> held = new ArrayList<>(); // loop thread only
        volatile boolean rejectFlush;

        @Override
        public boolean executeLater(Runnable task) {
            log.add("later");
            held.add(task);
            return held.size() == 1;
        }

        @Override
        public void flush() {
            log.add("flush");
            if (rejectFlush) {
                throw new java.util.concurrent.RejectedExecutionException("shut down");
            }
            List<Runnable> batch = new ArrayList<>(held);
            held.clear();
            executor.execute(() -> batch.forEach(Runnable::run));
        }

        @Override
        public void execute(Runnable task) {
            executor.execute(task);
        }
    }

    @Test
    void aTurnExecutorIsGivenAllOfATurnsCallsBeforeItIsFlushed() throws Exception {
        RecordingTurnExecutor turns = new RecordingTurnExecutor();
        int n = 100;
        CountDownLatch acked = new CountDownLatch(n);
        List<LoopRegistration> regs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            regs.add(registerTracked(turns, (reg, gen) -> {
                reg.acknowledge(gen);
                acked.countDown();
            }));
        }
        try (Overseer overseer = device.overseer()) {
            // Every edge is ready before the loop looks: the loop is held in a task while the
            // trigger (which has set every file's wake-up when it returns) runs. Else the loop
            // may take the simulated driver's wake-ups one by one as they are written.
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            assertThat(device.loop().submit(() -> {
                holding.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            })).isTrue();
            assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
            overseer.trigger();
            release.countDown();
            assertThat(acked.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(overseer.awaitWatchers(Duration.ofSeconds(30)).allAcknowledged()).isTrue();
        }
        List<String> log = List.copyOf(turns.log);
        assertThat(log).filteredOn("later"::equals).hasSize(n);
        long flushes = log.stream().filter("flush"::equals).count();
        assertThat(flushes).as("one flush per turn (the first turn takes 64 events), not one per call: " + log)
                .isBetween(1L, 3L);
        assertThat(log.get(0)).isEqualTo("later");
        assertThat(log.get(log.size() - 1)).isEqualTo("flush");
        regs.forEach(LoopRegistration::close);
    }

    @Test
    void aRejectedFlushEndsTheRegistrationsOfThatTurn() throws Exception {
        RecordingTurnExecutor turns = new RecordingTurnExecutor();
        turns.rejectFlush = true;
        CompletableFuture<SysgenidException> ended = new CompletableFuture<>();
        Watcher w = device.openWatcher();
        w.setTracking(true);
        device.loop().register(w, turns, acknowledging(ended::complete));
        device.bump();
        assertThat(ended.get(10, TimeUnit.SECONDS)).hasMessageContaining("rejected");
        assertThat(waitFor(() -> device.kernelCounts().trackedWatchers() == 0)).as("the watcher is closed").isTrue();
    }

    @Test
    void theLoopThreadUsesNoCpuWhileNothingChanges() throws Exception {
        for (int i = 0; i < 100; i++) {
            device.loop().register(device.openWatcher(), executor, (r, g) -> r.acknowledge(g));
        }
        Thread.sleep(200);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long id = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("sysgenid-epoll")).findFirst().orElseThrow().getId();
        long before = mx.getThreadCpuTime(id);
        Thread.sleep(1000);
        long used = mx.getThreadCpuTime(id) - before;
        // a loop that polled every millisecond would burn far more than this in a second
        assertThat(used).isLessThan(TimeUnit.MILLISECONDS.toNanos(20));
    }


    @Test
    void aGenerationThatComesBackIsDeliveredAndTheRegistrationStaysLive() throws Exception {
        DriverProfile profile = profile();
        int top = profile == DriverProfile.PRODUCTION ? 0x7fff_ffff : 0xffff_ffff;
        try (SimulatedDevice dev = SimulatedDevice.create(0, profile);
                SimulatedDevice other = SimulatedDevice.create(0, profile);
                Overseer overseer = dev.overseer();
                EpollLoop loop = new EpollLoop("recurring")) {
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
