/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.sysgenid.SimulatedDevice;
import dev.sysgenid.internal.turn.TurnExecutor;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** The shared lanes of {@code Schedulers.parallel()}, on a scheduler that counts its tasks. */
class DeliveryLanesTest {

    private final Scheduler single = Schedulers.newBoundedElastic(1, Integer.MAX_VALUE, "lane-test"); // may block
    private final CountingScheduler counting = new CountingScheduler(single);

    @AfterEach
    void tearDown() {
        single.dispose();
    }

    @Test
    void aBurstOfHandOffsSchedulesOneTaskAndRunsThemInOrder() throws Exception {
        Executor lane = new DeliveryLanes(counting, 1).assign();
        CountDownLatch hold = new CountDownLatch(1);
        lane.execute(() -> await(hold)); // the worker is busy while the burst arrives
        List<Integer> ran = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1000);
        for (int i = 0; i < 1000; i++) {
            int k = i;
            lane.execute(() -> {
                ran.add(k);
                done.countDown();
            });
        }
        hold.countDown();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).containsExactlyElementsOf(IntStream.range(0, 1000).boxed().toList());
        assertThat(counting.scheduled).as("tasks scheduled on the worker").hasValue(1);
        // the last task has run, but its drain may still be finishing: until it has, a hand-off
        // joins that drain instead of scheduling (which is what the lane is for)
        Eventually.eventually(() -> assertThat(counting.finished).as("drains finished").hasValue(1));
        CountDownLatch later = new CountDownLatch(1);
        lane.execute(later::countDown); // an idle lane schedules again
        assertThat(later.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(counting.scheduled).hasValue(2);
    }

    @Test
    void theLoopsHandOffsWaitForItsFlushAndStartTheWorkerOnce() throws Exception {
        TurnExecutor lane = (TurnExecutor) new DeliveryLanes(counting, 1).assign();
        CountDownLatch done = new CountDownLatch(3);
        assertThat(lane.executeLater(done::countDown)).as("the first hand-off of a turn needs a flush").isTrue();
        assertThat(lane.executeLater(done::countDown)).isFalse();
        assertThat(lane.executeLater(done::countDown)).isFalse();
        assertThat(done.await(200, TimeUnit.MILLISECONDS)).as("nothing starts before the flush").isFalse();
        assertThat(counting.scheduled).hasValue(0);
        lane.flush();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(counting.scheduled).hasValue(1);
    }

    @Test
    void subscriptionsAreSpreadOverTheLanesAndEachLaneRunsOnOneThreadAtATime() throws Exception {
        DeliveryLanes lanes = new DeliveryLanes(Schedulers.parallel(), 3);
        Executor a = lanes.assign();
        Executor b = lanes.assign();
        Executor c = lanes.assign();
        assertThat(Set.of(a, b, c)).hasSize(3);
        assertThat(lanes.assign()).isSameAs(a);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(500);
        for (int i = 0; i < 500; i++) {
            a.execute(() -> {
                if (inside.incrementAndGet() != 1) {
                    overlaps.incrementAndGet();
                }
                threads.add(Thread.currentThread().getName());
                inside.decrementAndGet();
                done.countDown();
            });
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(overlaps).hasValue(0);
        assertThat(threads).hasSize(1).allMatch(t -> t.startsWith("parallel-"));
    }

    @Test
    void aTaskThatThrowsDoesNotStopTheLane() throws Exception {
        Executor lane = new DeliveryLanes(counting, 1).assign();
        CountDownLatch after = new CountDownLatch(1);
        lane.execute(() -> {
            throw new IllegalStateException("a bug in a task");
        });
        lane.execute(after::countDown);
        assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void onceTheSchedulerIsDisposedEveryHandOffIsRejected() {
        Executor lane = new DeliveryLanes(counting, 1).assign();
        single.dispose();
        assertThatThrownBy(() -> lane.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> lane.execute(() -> { })).as("not queued silently after a rejection")
                .isInstanceOf(RejectedExecutionException.class);
    }

    /**
     * {@code Schedulers.shutdownNow()} drops the tasks still queued, a lane's drain among them:
     * its count of pending hand-offs then never comes back to zero, so no later hand-off starts
     * (or is rejected by) the worker. The next hand-off must still tell the lane's sessions.
     */
    @Test
    void aHandOffBehindADrainThatTheDisposedSchedulerDroppedStillTellsTheSessions() {
        DroppingScheduler dropping = new DroppingScheduler();
        DeliveryLanes lanes = new DeliveryLanes(dropping, 1);
        try (SimulatedDevice device = SimulatedDevice.create()) {
            WatchSession session = WatchSession.open(device, GenerationOptions.defaults().withScheduler(dropping), lanes);
            List<RejectedExecutionException> told = new CopyOnWriteArrayList<>();
            session.attach((r, g) -> { }, told::add);
            TurnExecutor lane = (TurnExecutor) session.delivery();
            lane.execute(() -> { }); // schedules a drain, which the scheduler keeps and never runs
            dropping.dispose();
            assertThat(lane.executeLater(() -> { })).isFalse();
            assertThat(told).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("disposed"));
            session.close();
        }
    }

    /** Accepts every task and runs none; disposed on demand, like one whose tasks were dropped. */
    private static final class DroppingScheduler implements Scheduler {
        private volatile boolean disposed;

        @Override
        public Disposable schedule(Runnable task) {
            return () -> { };
        }

        @Override
        public Worker createWorker() {
            return new Worker() {
                @Override
                public Disposable schedule(Runnable task) {
                    return () -> { };
                }

                @Override
                public void dispose() {
                }
            };
        }

        @Override
        public void dispose() {
            disposed = true;
        }

        @Override
        public boolean isDisposed() {
            return disposed;
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Delegates to a scheduler and counts the tasks its workers are given and have finished. */
    private static final class CountingScheduler implements Scheduler {
        final AtomicInteger scheduled = new AtomicInteger();
        /** Worker tasks that have returned. */
        final AtomicInteger finished = new AtomicInteger();
        private final Scheduler delegate;

        CountingScheduler(Scheduler delegate) {
            this.delegate = delegate;
        }

        @Override
        public Disposable schedule(Runnable task) {
            scheduled.incrementAndGet();
            return delegate.schedule(task);
        }

        @Override
        public Worker createWorker() {
            Worker w = delegate.createWorker();
            return new Worker() {
                @Override
                public Disposable schedule(Runnable task) {
                    scheduled.incrementAndGet();
                    return w.schedule(() -> {
                        try {
                            task.run();
                        } finally {
                            finished.incrementAndGet();
                        }
                    });
                }

                @Override
                public void dispose() {
                    w.dispose();
                }

                @Override
                public boolean isDisposed() {
                    return w.isDisposed();
                }
            };
        }
    }
}
