/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Function;

import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * The body of {@link ReactiveGenerations#rekeyed}: takes one generation from the session's
 * {@link WatcherFlux}, re-keys it (an inner {@code Mono} of {@link Rekeying}), emits what that
 * yields, and only then, and only if the subscriber still has demand, asks for the next one.
 *
 * <p>So without demand nothing is taken from the session: the generation waits in its slot,
 * the watcher stays outdated (the overseer waits for it) and nothing is re-keyed or
 * acknowledged. ({@code concatMap(f, 0)}, which this replaces, asks for the next element as
 * soon as an inner ends, whatever the demand.)
 */
final class RekeyOnDemand extends FluxOperator<Generation, Generation> {

    private final Function<Generation, Mono<Generation>> rekeying;
    /** Releases the subscription's watcher if a JVM-fatal error escapes the subscriber. */
    private final Runnable abandon;

    RekeyOnDemand(Flux<Generation> generations, Function<Generation, Mono<Generation>> rekeying, Runnable abandon) {
        super(generations);
        this.rekeying = rekeying;
        this.abandon = abandon;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Generation> actual) {
        source.subscribe(new Coordinator(actual, rekeying, abandon));
    }

    @SuppressWarnings("rawtypes") // Reactor declares the parameter raw
    @Override
    public Object scanUnsafe(Attr key) {
        if (key == Attr.PREFETCH) {
            return 1;
        }
        if (key == Attr.RUN_STYLE) {
            return Attr.RunStyle.ASYNC;
        }
        return super.scanUnsafe(key);
    }

    @Override
    public String stepName() {
        return "sysgenid.rekeyed";
    }

    /*
     * State: 'busy' is true from the request(1) made to the session until the re-keying of the
     * generation it brings has ended; 'ready' holds that re-keying's result until it is emitted.
     * A request is made only while not busy and with demand left, so every emitted element was
     * requested. The inner writes 'ready' before it clears 'busy', and the drain reads 'busy'
     * before 'ready': a drain that sees the re-keying ended also sees its result.
     * Every signal downstream is made by the drain, serialised by 'wip'.
     */
    static final class Coordinator implements CoreSubscriber<Generation>, Subscription, Scannable {

        private static final AtomicLongFieldUpdater<Coordinator> REQUESTED =
                AtomicLongFieldUpdater.newUpdater(Coordinator.class, "requested");
        private static final AtomicIntegerFieldUpdater<Coordinator> WIP =
                AtomicIntegerFieldUpdater.newUpdater(Coordinator.class, "wip");

        private final CoreSubscriber<? super Generation> actual;
        private final Function<Generation, Mono<Generation>> rekeying;
        private final Runnable abandon;
        private Subscription upstream;

        private volatile long requested;
        private volatile int wip;
        private volatile boolean busy;
        private volatile Generation ready;
        private volatile Inner inner;
        private volatile Throwable error;
        private volatile boolean upstreamDone;
        private volatile boolean cancelled;
        private boolean done; // drain only

        Coordinator(CoreSubscriber<? super Generation> actual, Function<Generation, Mono<Generation>> rekeying,
                Runnable abandon) {
            this.actual = actual;
            this.rekeying = rekeying;
            this.abandon = abandon;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                actual.onSubscribe(this);
            }
        }

        /** Best effort, read without synchronisation, as Reactor's own operators do. */
        @SuppressWarnings("rawtypes") // Reactor declares the parameter raw
        @Override
        public Object scanUnsafe(Attr key) {
            if (key == Attr.PARENT) {
                return upstream;
            }
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
                return error;
            }
            if (key == Attr.PREFETCH) {
                return 1;
            }
            if (key == Attr.BUFFERED) {
                return ready != null ? 1 : 0;
            }
            if (key == Attr.RUN_STYLE) {
                return Attr.RunStyle.ASYNC;
            }
            return null;
        }

        @Override
        public String stepName() {
            return "sysgenid.rekeyed";
        }

        @Override
        public void onNext(Generation g) {
            if (cancelled || error != null) {
                return;
            }
            Mono<Generation> work;
            try {
                work = rekeying.apply(g);
            } catch (Throwable e) {
                Exceptions.throwIfJvmFatal(e);
                onError(e);
                return;
            }
            Inner i = new Inner(this);
            inner = i;
            if (cancelled) {
                i.cancel(); // a cancel that missed 'inner': the re-keying is cancelled as it starts
            }
            work.subscribe(i);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            drain();
        }

        @Override
        public void onComplete() {
            upstreamDone = true;
            drain();
        }

        @Override
        public void request(long n) {
            if (n <= 0) { // rule 3.9
                onError(new IllegalArgumentException("request(" + n + "): a request must be positive (Reactive Streams rule 3.9)"));
                return;
            }
            Operators.addCap(REQUESTED, this, n);
            drain();
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                upstream.cancel();
                Inner i = inner;
                if (i != null) {
                    i.cancel();
                }
                drain();
            }
        }

        void innerNext(Generation g) {
            ready = g;
        }

        void innerDone() {
            busy = false;
            drain();
        }

        void innerError(Throwable t) {
            error = t;
            drain();
        }

        private void drain() {
            if (WIP.getAndIncrement(this) != 0) {
                return;
            }
            int missed = 1;
            while (true) {
                if (cancelled || done) {
                    ready = null;
                } else if (error != null) {
                    done = true;
                    ready = null;
                    upstream.cancel();
                    Inner i = inner;
                    if (i != null) {
                        i.cancel();
                    }
                    actual.onError(error);
                } else {
                    boolean idle = !busy; // before 'ready': see the class comment
                    Generation g = ready;
                    if (g != null) {
                        ready = null;
                        REQUESTED.decrementAndGet(this);
                        emit(g);
                    }
                    if (!done && !cancelled && idle) {
                        if (upstreamDone) {
                            done = true;
                            actual.onComplete();
                        } else if (requested > 0) {
                            busy = true;
                            upstream.request(1);
                        }
                    }
                }
                missed = WIP.addAndGet(this, -missed);
                if (missed == 0) {
                    return;
                }
            }
        }

        private void emit(Generation g) {
            try {
                actual.onNext(g);
            } catch (Throwable e) {
                // OnNextGuard turns anything else into a cancel: this is a JVM-fatal error. It
                // goes on up as such, but first the watcher is released, so that a subscriber
                // nobody can signal any more does not hold the overseer up.
                done = true;
                abandon.run();
                throw e;
            }
        }
    }

    /** The subscriber of one re-keying: at most one element, then complete or error. */
    static final class Inner implements CoreSubscriber<Generation> {

        private static final AtomicReferenceFieldUpdater<Inner, Subscription> S =
                AtomicReferenceFieldUpdater.newUpdater(Inner.class, Subscription.class, "s");

        private final Coordinator parent;
        private volatile Subscription s;

        Inner(Coordinator parent) {
            this.parent = parent;
        }

        @Override
        public Context currentContext() {
            return parent.currentContext();
        }

        @Override
        public void onSubscribe(Subscription sub) {
            if (Operators.setOnce(S, this, sub)) {
                sub.request(Long.MAX_VALUE); // one generation at most; its demand was checked before
            }
        }

        @Override
        public void onNext(Generation g) {
            S.set(this, Operators.cancelledSubscription()); // a Mono's one element: ended, as below
            parent.innerNext(g);
        }

        @Override
        public void onError(Throwable t) {
            S.set(this, Operators.cancelledSubscription()); // ended: a later cancel() reaches nothing
            parent.innerError(t);
        }

        @Override
        public void onComplete() {
            S.set(this, Operators.cancelledSubscription()); // ended: a later cancel() reaches nothing
            parent.innerDone();
        }

        /** Cancels a re-keying still under way; one that has ended is not cancelled (nor recorded so). */
        void cancel() {
            Operators.terminate(S, this);
        }
    }
}
