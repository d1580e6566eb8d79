/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Test only: records every blocking call BlockHound catches on a non-blocking thread, then
 * throws as BlockHound does by default. A trip inside a scheduled task would otherwise only be
 * logged; {@link NoBlockingCallsExtension} fails the test that caused it. BlockHound is
 * installed once per JVM, so the record is JVM-wide (the one static here, test code only).
 */
public final class RecordingBlockHoundIntegration implements BlockHoundIntegration {

    private static final String TCK_RECEPTACLE = "org.reactivestreams.tck.TestEnvironment$Receptacle";
    private static final String TCK_PROMISE = "org.reactivestreams.tck.TestEnvironment$Promise";
    private static final Queue<String> TRIPS = new ConcurrentLinkedQueue<>();

    @Override
    public void applyTo(BlockHound.Builder builder) {
        // The Reactive Streams TCK's test subscribers queue what they receive in a blocking queue
        // of their own, whose lock the TCK's main thread holds while it polls: a signal delivered
        // on a parallel thread at that moment waits for it. Test machinery, not our code: without
        // these, BlockHound threw from the TCK's onComplete and the TCK tests failed now and then
        // (TckSubscriberQueueTest).
        builder.allowBlockingCallsInside(TCK_RECEPTACLE, "add");
        builder.allowBlockingCallsInside(TCK_RECEPTACLE, "complete");
        builder.allowBlockingCallsInside(TCK_PROMISE, "complete");
        builder.allowBlockingCallsInside(TCK_PROMISE, "completeImmediatly"); // sic, the TCK's spelling
        builder.blockingMethodCallback(method -> {
            TRIPS.add(method + " on " + Thread.currentThread().getName());
            throw new BlockingOperationError(method);
        });
    }

    @Override
    public int getPriority() {
        return Integer.MAX_VALUE; // applied last: this callback wins
    }

    /** The trips recorded since the last call, removed from the record. */
    static List<String> drain() {
        List<String> out = new ArrayList<>();
        String t;
        while ((t = TRIPS.poll()) != null) {
            out.add(t);
        }
        return out;
    }
}
