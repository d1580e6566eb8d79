/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Turns a subscriber that throws from {@code onNext} (a Reactive Streams rule 2.13 violation)
 * into a cancellation, so the enclosing {@code Flux.using} releases the watcher, followed by an
 * {@code onError} carrying what it threw. Everything else passes through.
 */
final class OnNextGuard<T> implements CoreSubscriber<T>, Subscription, Scannable {

    private final CoreSubscriber<? super T> actual;
    private Subscription upstream;
    private volatile boolean done;

    private OnNextGuard(CoreSubscriber<? super T> actual) {
        this.actual = actual;
    }

    /** Applies the guard as the last operator of {@code source}. */
    static <T> Flux<T> guard(Flux<T> source) {
        return new Guarded<>(source);
    }

    private static final class Guarded<T> extends FluxOperator<T, T> {
        Guarded(Flux<? extends T> source) {
            super(source);
        }

        @Override
        public void subscribe(CoreSubscriber<? super T> actual) {
            source.subscribe(new OnNextGuard<T>(actual));
        }

        @SuppressWarnings("rawtypes") // Reactor declares the parameter raw
        @Override
        public Object scanUnsafe(Attr key) {
            return key == Attr.RUN_STYLE ? Attr.RunStyle.SYNC : super.scanUnsafe(key);
        }
    }

    @SuppressWarnings("rawtypes") // Reactor declares the parameter raw
    @Override
    public Object scanUnsafe(Attr key) {
        if (key == Attr.PARENT) {
            return upstream;
        }
        if (key == Attr.ACTUAL) {
            return actual;
        }
        if (key == Attr.TERMINATED) {
            return done;
        }
        if (key == Attr.RUN_STYLE) {
            return Attr.RunStyle.SYNC;
        }
        return null;
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

    @Override
    public void onNext(T t) {
        if (done) {
            Operators.onNextDropped(t, actual.currentContext());
            return;
        }
        try {
            actual.onNext(t);
        } catch (Throwable e) {
            Exceptions.throwIfJvmFatal(e);
            done = true;
            upstream.cancel();
            actual.onError(Operators.onOperatorError(e, actual.currentContext()));
        }
    }

    @Override
    public void onError(Throwable t) {
        if (done) {
            Operators.onErrorDropped(t, actual.currentContext());
            return;
        }
        done = true;
        actual.onError(t);
    }

    @Override
    public void onComplete() {
        if (!done) {
            done = true;
            actual.onComplete();
        }
    }

    @Override
    public void request(long n) {
        upstream.request(n);
    }

    @Override
    public void cancel() {
        upstream.cancel();
    }
}
