/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import dev.sysgenid.AckResult;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * The {@link Generation#ack()} of one emitted change: writes at most once successfully (a later
 * write of an older generation would be stale and make the loop look at the fd again) and
 * remembers the result; a write that failed is tried again by the next subscription.
 */
final class PendingAck extends Mono<Void> {

    /** Where the acknowledgement is written: the subscription's {@link WatchSession}. */
    interface Target {
        /** See {@link WatchSession#acknowledge(int, boolean)}. */
        AckResult acknowledge(int generation, boolean rekeyed);
    }

    private final Target session;
    private final int generation;
    private boolean written; // guarded by this
    private AckResult result; // guarded by this

    PendingAck(Target session, int generation) {
        this.session = session;
        this.generation = generation;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
        try {
            write();
        } catch (Throwable e) {
            Operators.error(actual, Operators.onOperatorError(e, actual.currentContext()));
            return;
        }
        Operators.complete(actual);
    }

    /**
     * Writes the acknowledgement the first time; returns its result (the same one every time),
     * or null if the subscription had ended.
     */
    AckResult write() {
        return write(true);
    }

    /** Acknowledges without a re-keying ({@link RekeyErrorPolicy#RELEASE}): tracking stays off. */
    AckResult skip() {
        return write(false);
    }

    /**
     * Only a write that returned counts as written: one that failed (a device error) is made
     * again by the next {@code ack()}, or the registration would wait for an acknowledgement
     * that never comes.
     */
    private synchronized AckResult write(boolean rekeyed) {
        if (!written) {
            result = session.acknowledge(generation, rekeyed);
            written = true;
        }
        return result;
    }

    @Override
    public String toString() {
        return "ack(" + Integer.toUnsignedString(generation) + ")";
    }
}
