/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sysgenid.internal.turn.TurnExecutor;
import reactor.core.Exceptions;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.concurrent.Queues;
import reactor.util.context.Context;

/**
 * A few workers of one scheduler, each shared by many subscriptions and fed through a queue:
 * handing a change over costs one queue offer, and the epoll loop starts each worker once per
 * turn, after its last hand-off ({@link TurnExecutor}); the worker then runs every queued
 * hand-off in order. A change reaching 1000 subscriptions so schedules one task per lane
 * instead of 1000, and the loop is not interrupted by the workers it wakes.
 *
 * <p>A subscription is given one lane for its whole life, so its signals all run on that lane's
 * worker, in order and never concurrently. A task that throws does not stop a lane, not even
 * with a JVM-fatal error (which still reaches the worker's error handling): the lane's other
 * subscriptions are served on. Once the worker rejects (the scheduler was disposed), every
 * session on the lane is told, so that each can end its subscription with an error. Lanes live as long as their {@link
 * ReactiveGenerations}; they are only used for {@link reactor.core.scheduler.Schedulers#parallel()},
 * whose workers hold no thread of their own.
 */
final class DeliveryLanes {

    private final Scheduler scheduler;
    private final Lane[] lanes;
    private final AtomicInteger next = new AtomicInteger();

    DeliveryLanes(Scheduler scheduler, int count) {
        this.scheduler = scheduler;
        this.lanes = new Lane[Math.max(1, count)];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new Lane(scheduler, scheduler.createWorker());
        }
    }

    /** The scheduler whose workers these lanes are. */
    Scheduler scheduler() {
        return scheduler;
    }

    /** A lane for a new subscription, round robin. */
    Lane assign() {
        return lanes[Math.floorMod(next.getAndIncrement(), lanes.length)];
    }

    /**
     * One worker and the queue of hand-offs waiting for it. The epoll loop hands over through
     * {@link #executeLater} and starts the worker once per turn with {@link #flush()}; other
     * threads (requests) through {@link #execute}, which starts it at once.
     */
    static final class Lane implements TurnExecutor {
        private final Scheduler scheduler;
        private final Scheduler.Worker worker;
        private final Queue<Runnable> queue = Queues.<Runnable>unboundedMultiproducer().get();
        /** Hand-offs not yet accounted for by a drain; the one that makes it non-zero schedules. */
        private final AtomicInteger wip = new AtomicInteger();
        private final Runnable drain = this::drain;
        /** The live sessions on this lane: told when its worker rejects (the scheduler is gone). */
        private final Set<WatchSession> sessions = ConcurrentHashMap.newKeySet();

        Lane(Scheduler scheduler, Scheduler.Worker worker) {
            this.scheduler = scheduler;
            this.worker = worker;
        }

        /** {@code session} runs on this lane until {@link #leave}. Not on the data path. */
        void join(WatchSession session) {
            sessions.add(session);
        }

        void leave(WatchSession session) {
            sessions.remove(session);
        }

        /**
         * Queues {@code task} for the worker.
         *
         * @throws RejectedExecutionException if the scheduler was disposed
         */
        @Override
        public void execute(Runnable task) {
            if (executeLater(task)) {
                start();
            }
        }

        /**
         * Queues {@code task} (thread-safe; {@link #execute} is this plus the start). For the
         * loop's hand-offs: if the worker is idle, it is started by the {@link #flush()} after
         * this turn (true), not now, so that it does not take the CPU from the loop while the
         * loop still hands over the rest of the turn.
         */
        @Override
        public boolean executeLater(Runnable task) {
            queue.offer(task);
            if (wip.getAndIncrement() == 0) {
                return true;
            }
            if (scheduler.isDisposed()) {
                // The drain this hand-off counts on may have been dropped unrun (shutdownNow drops
                // queued tasks), and would then never come: the sessions must learn it here.
                tellSessions(new RejectedExecutionException("the scheduler " + scheduler + " is disposed"));
            }
            return false;
        }

        @Override
        public void flush() {
            start();
        }

        /** Called only by the thread that owns the drain (the one that made {@link #wip} non-zero). */
        private void start() {
            try {
                worker.schedule(drain);
            } catch (RejectedExecutionException e) {
                abandon(e);
                throw e;
            }
        }

        /**
         * The worker rejected: its scheduler is disposed and nothing queued here will ever run.
         * The caller owns the drain, so it is the queue's only consumer and may clear it. Every
         * session on the lane is told, so its subscriber is signalled from elsewhere.
         */
        private void abandon(RejectedExecutionException e) {
            queue.clear();
            wip.set(0); // the next hand-off tries again, and is rejected as well
            tellSessions(e);
        }

        private void tellSessions(RejectedExecutionException e) {
            for (WatchSession s : sessions) {
                s.deliveryRejected(e);
            }
        }

        private void drain() {
            int missed = 1;
            do {
                Runnable task;
                while ((task = queue.poll()) != null) {
                    try {
                        task.run();
                    } catch (Throwable e) {
                        if (Exceptions.isJvmFatal(e)) {
                            resume();
                            throw e; // to the worker's error handling, but the lane goes on
                        }
                        // the tasks handle their own errors: a bug, keep the lane going
                        Operators.onErrorDropped(e, Context.empty());
                    }
                }
                missed = wip.addAndGet(-missed);
            } while (missed != 0);
        }

        /**
         * A task threw a JVM-fatal error out of this drain, which ends it with work still counted
         * in {@link #wip}: a new drain takes over the rest of the queue (and the count), so the
         * other subscriptions on this lane are still served. Nothing else drains meanwhile: a
         * non-zero count keeps every other thread from starting one.
         */
        private void resume() {
            try {
                worker.schedule(drain);
            } catch (RejectedExecutionException e) {
                abandon(e);
            }
        }
    }
}
