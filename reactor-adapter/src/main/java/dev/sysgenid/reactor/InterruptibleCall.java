/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * One blocking call on a scheduler, as a {@code Mono} whose cancel interrupts the thread blocked
 * in it. States: NEW -> RUNNING -> DONE, or -> CANCELLED from NEW or RUNNING. All transitions
 * hold this object's monitor, so a cancel's interrupt lands while the call runs or not at all:
 * the pooled thread never keeps a stray interrupt for its next task.
 */
final class InterruptibleCall<T> implements Runnable {

    /** A blocking call that notices {@link Thread#interrupt()}. */
    @FunctionalInterface
    interface Blocking<T> {
        T call() throws InterruptedException;
    }

    private enum State { NEW, RUNNING, DONE, CANCELLED }

    private final MonoSink<T> sink;
    private final Blocking<T> body;
    private State state = State.NEW; // guarded by this
    private Thread runner; // guarded by this
    private Disposable task; // guarded by this

    private InterruptibleCall(MonoSink<T> sink, Blocking<T> body) {
        this.sink = sink;
        this.body = body;
    }

    /** A cold Mono that runs {@code body} on {@code scheduler} once per subscription. */
    static <T> Mono<T> mono(Scheduler scheduler, Blocking<T> body) {
        return Mono.create(sink -> {
            InterruptibleCall<T> call = new InterruptibleCall<>(sink, body);
            sink.onCancel(call::cancel);
            Disposable t;
            try {
                t = scheduler.schedule(call);
            } catch (RuntimeException rejected) {
                sink.error(rejected);
                return;
            }
            call.scheduled(t);
        });
    }

    private synchronized void scheduled(Disposable t) {
        if (state == State.CANCELLED) {
            t.dispose();
        } else {
            task = t;
        }
    }

    @Override
    public void run() {
        synchronized (this) {
            if (state != State.NEW) {
                return;
            }
            state = State.RUNNING;
            runner = Thread.currentThread();
        }
        T result = null;
        Throwable failure = null;
        try {
            result = body.call();
        } catch (Throwable e) {
            Exceptions.throwIfJvmFatal(e);
            failure = e;
        }
        synchronized (this) {
            runner = null;
            if (state == State.CANCELLED) {
                Thread.interrupted(); // the cancel's interrupt, if the call returned before seeing it
                return;
            }
            state = State.DONE;
        }
        if (failure != null) {
            sink.error(failure);
        } else if (result != null) {
            sink.success(result);
        } else {
            sink.success();
        }
    }

    private void cancel() {
        Disposable t = null;
        synchronized (this) {
            if (state == State.RUNNING) {
                runner.interrupt();
            } else if (state == State.NEW) {
                t = task;
            } else {
                return;
            }
            state = State.CANCELLED;
        }
        if (t != null) {
            t.dispose(); // not started: drop it (if it starts anyway, it sees CANCELLED)
        }
    }
}
