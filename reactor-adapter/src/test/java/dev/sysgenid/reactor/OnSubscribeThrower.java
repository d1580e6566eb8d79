/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A plain Reactive Streams subscriber (Reactor wraps it, as it does a user's) that breaks rule
 * 2.13 in onSubscribe ("boom"), and keeps the errors it is told.
 */
final class OnSubscribeThrower implements Subscriber<Generation> {

    final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @Override
    public void onSubscribe(Subscription s) {
        throw new IllegalStateException("boom");
    }

    @Override
    public void onNext(Generation g) {
    }

    @Override
    public void onError(Throwable t) {
        errors.add(t);
    }

    @Override
    public void onComplete() {
    }
}
