/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.concurrent.atomic.AtomicReference;

import org.reactivestreams.Subscription;

import dev.sysgenid.GenerationListener;
import dev.sysgenid.LoopRegistration;
import dev.sysgenid.SysgenidException;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;

/**
 * The generations of one {@link WatchSession}, subscribed once by the {@code Flux.using} that
 * owns the session. It releases nothing itself: it only signals, and the {@code using} closes
 * the session on cancel, error and complete.
 */
final class WatcherFlux extends Flux<Generation> implements Scannable {

    private final WatchSession session;

    WatcherFlux(WatchSession session) {
        this.session = session;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Generation> actual) {
        new Delivery(actual, session).start();
    }

    @SuppressWarnings("rawtypes") // Reactor declares the parameter raw
    @Override
    public Object scanUnsafe(Attr key) {
        if (key == Attr.RUN_ON) {
            return session.scheduler();
        }
        if (key == Attr.RUN_STYLE) {
            return Attr.RunStyle.ASYNC;
        }
        return null;
    }

    @Override
    public String stepName() {
        return "sysgenid.watch";
    }

    /*
     * Issue 14 asked for one serialising drain per delivery, not two in a row (the lane's and
     * this one). Declined: the lane (or the subscription's own worker) is serial, but not every
     * signal runs there. When the scheduler is disposed, rejected() delivers the end from the
     * common pool while the lane may still be running this subscription's drain; without the
     * counter the two would call the subscriber at once (rule 1.3). Funnelling that end through
     * the lane is not possible (it rejects), and the counter costs one uncontended atomic
     * increment and decrement per delivery, next to the acknowledgement's write(2).
     */
    /**
     * The state machine between the loop and one subscriber.
     *
     * <p>Backpressure: one slot, overwritten. The loop reports at most one generation per
     * acknowledgement, so without demand at most one waits; if a newer one arrives (the initial
     * element, then a change) it replaces the older, and a change is delivered with the counter's
     * value at delivery time. Nothing else is buffered.
     *
     * <p>Threads: the loop calls the listener through the session's delivery executor (its lane
     * or its own worker); requests schedule a drain there too; so every signal is delivered
     * from it, except the end after a rejection (see {@link #rejected}), delivered from the
     * common pool. The drain is also guarded by a work-in-progress counter.
     */
    /**
     * The end of a subscription whose delivering scheduler rejected a task: disposed, or (a
     * scheduler over a bounded queue) full; both end the subscription, each says so.
     */
    static RejectedExecutionException rejectedBy(Scheduler scheduler, RejectedExecutionException cause) {
        String why = scheduler.isDisposed()
                ? ", so it was disposed (Schedulers.shutdownNow(), or the scheduler given to "
                        + "GenerationOptions.withScheduler was disposed)"
                : " although it is not disposed (a bounded executor or bounded elastic scheduler whose queue "
                        + "is full, or one that refuses tasks of its own accord); give it room, or deliver on "
                        + "Schedulers.parallel() (the default)";
        return new RejectedExecutionException("the scheduler that delivers this subscription's signals (" + scheduler
                + ") rejected a task" + why + ": the subscription has ended and its watcher is closed; subscribe "
                + "again with a scheduler that takes tasks", cause);
    }

    static final class Delivery implements Subscription, Scannable, GenerationListener {

        private final CoreSubscriber<? super Generation> actual;
        private final WatchSession session;
        private final AtomicReference<Generation> slot = new AtomicReference<>();
        private static final AtomicLongFieldUpdater<Delivery> REQUESTED =
                AtomicLongFieldUpdater.newUpdater(Delivery.class, "requested");
        private static final AtomicReferenceFieldUpdater<Delivery, Throwable> FAILURE =
                AtomicReferenceFieldUpdater.newUpdater(Delivery.class, Throwable.class, "failure");

        private volatile long requested;
        private final AtomicInteger wip = new AtomicInteger();
        private volatile Throwable failure;
        private volatile boolean cancelled;
        private boolean done; // drain only
        /** Set once the subscriber's onSubscribe has returned: no signal may come before (rule 1.3). */
        private volatile boolean started;
        private final Runnable drainTask = this::drain;

        Delivery(CoreSubscriber<? super Generation> actual, WatchSession session) {
            this.actual = actual;
            this.session = session;
        }

        void start() {
            slot.set(session.initial());
            try {
                actual.onSubscribe(this);
            } catch (Throwable e) {
                // Reactor reports it to the subscriber (onError), but the enclosing Flux.using
                // never got its subscription, so it would never release the session: do it here.
                try {
                    cancel(); // the initial element goes to the discard hook: it will never be emitted
                } catch (Throwable discarding) { // the subscriber's currentContext() may throw too
                    e.addSuppressed(discarding);
                } finally {
                    session.close();
                }
                throw e;
            }
            // Requests made inside onSubscribe only counted: their drain starts now, so that no
            // signal runs on the delivery thread while onSubscribe still runs on the caller's.
            started = true;
            if (cancelled) {
                return;
            }
            if (failure != null) {
                scheduleDrain(); // a request in onSubscribe was refused (rule 3.9, or a disposed scheduler)
                return;
            }
            try {
                session.attach(this, this::rejected);
            } catch (RuntimeException e) {
                fail(e);
                scheduleDrain();
                return;
            }
            if (requested > 0) {
                scheduleDrain(); // the initial element, for a request made in onSubscribe
            }
        }

        @Override
        public void onGeneration(LoopRegistration registration, int generation) {
            discard(slot.getAndSet(session.changed(generation))); // the initial element, if not yet taken
            drain();
        }

        @Override
        public void onTerminated(SysgenidException cause) {
            fail(cause);
            drain();
        }

        /**
         * What Reactor's tools see of this subscription: best effort, read without
         * synchronisation, as Reactor's own operators do. The slot is the buffer (capacity 1).
         */
        @SuppressWarnings("rawtypes") // Reactor declares the parameter raw
        @Override
        public Object scanUnsafe(Attr key) {
            if (key == Attr.ACTUAL) {
                return actual;
            }
            if (key == Attr.REQUESTED_FROM_DOWNSTREAM) {
                return requested;
            }
            if (key == Attr.CANCELLED) {
                return cancelled;
            }
            if (key == Attr.TERMINATED) {
                return done && !cancelled;
            }
            if (key == Attr.ERROR) {
                return failure;
            }
            if (key == Attr.BUFFERED) {
                return slot.get() != null ? 1 : 0;
            }
            if (key == Attr.CAPACITY) {
                return 1;
            }
            if (key == Attr.RUN_ON) {
                return session.scheduler();
            }
            if (key == Attr.RUN_STYLE) {
                return Attr.RunStyle.ASYNC;
            }
            return null;
        }

        @Override
        public String stepName() {
            return "sysgenid.watch";
        }

        @Override
        public void request(long n) {
            if (n <= 0) { // rule 3.9
                fail(new IllegalArgumentException(
                        "request(" + n + "): a request must be positive (Reactive Streams rule 3.9)"));
            } else {
                Operators.addCap(REQUESTED, this, n);
            }
            if (started) { // else start() drains once onSubscribe has returned
                scheduleDrain();
            }
        }

        @Override
        public void cancel() {
            cancelled = true; // the session (watcher, worker) is released by the enclosing Flux.using
            discard(slot.getAndSet(null));
        }

        private void scheduleDrain() {
            try {
                session.delivery().execute(drainTask);
            } catch (RejectedExecutionException e) {
                // The scheduler is gone. Once registered, the session has told rejected(...)
                // already; before (a request from onSubscribe, the scheduler disposed before the
                // subscription), nobody has. The first cause wins, so telling it twice is harmless.
                rejected(e);
            }
        }

        /**
         * The delivery executor rejected a task: its scheduler was disposed, so nothing of this
         * subscription can ever be delivered there. Ends it with an error, delivered from {@link
         * ForkJoinPool#commonPool()} (never from the epoll loop's thread, which may be the one
         * that was rejected); the enclosing {@code Flux.using} then closes the watcher.
         */
        void rejected(RejectedExecutionException cause) {
            if (cancelled) {
                return;
            }
            fail(rejectedBy(session.scheduler(), cause));
            try {
                ForkJoinPool.commonPool().execute(drainTask);
            } catch (RejectedExecutionException e) {
                drain(); // no thread at all left to hand it to
            }
        }

        /**
         * The first cause of the end wins: when the delivery scheduler rejects, the session is
         * told (an explanatory RejectedExecutionException) before the loop ends the registration
         * with its own, less specific, SysgenidException.
         */
        private void fail(Throwable cause) {
            FAILURE.compareAndSet(this, null, cause);
        }

        /**
         * An element that will never be emitted (overwritten in the slot, superseded, or dropped
         * by a cancel or an error) goes to the subscriber's discard hook ({@code doOnDiscard}).
         */
        private void discard(Generation g) {
            if (g != null) {
                Operators.onDiscard(g, actual.currentContext());
            }
        }

        private void emit(Generation g) {
            try {
                actual.onNext(g);
            } catch (Throwable e) {
                if (Exceptions.isJvmFatal(e)) {
                    // Not signalled (the JVM may be in no state to), but the watcher is released, so
                    // that a subscriber nobody can signal any more does not hold the overseer up.
                    done = true;
                    session.close();
                    throw e;
                }
                // a rule 2.13 violation: end as the guard would
                done = true;
                actual.onError(Operators.onOperatorError(this, e, g, actual.currentContext()));
            }
        }

        private void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            while (true) {
                if (cancelled || done) {
                    discard(slot.getAndSet(null));
                } else {
                    Throwable f = failure;
                    if (f != null) {
                        done = true;
                        discard(slot.getAndSet(null));
                        actual.onError(f);
                    } else if (requested > 0) {
                        Generation g = slot.getAndSet(null);
                        if (g != null) {
                            Operators.produced(REQUESTED, this, 1);
                            Generation newest = session.newest(g);
                            if (newest != g) {
                                discard(g); // superseded by the counter's newer value
                            }
                            emit(newest);
                        }
                    }
                }
                missed = wip.addAndGet(-missed);
                if (missed == 0) {
                    return;
                }
            }
        }
    }
}
