/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * {@link RekeyOnDemand}: one generation was asked for (demand 1) and is being re-keyed; the
 * re-keying completes on one thread while the subscriber requests one more on another. The
 * generation is emitted once, and exactly one more is asked of the session: never while the
 * re-keying runs (a second would be re-keyed without demand), never lost (the subscription
 * would stall with demand).
 */
@JCStressTest
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "emitted once; the next one asked for once, after it")
@Outcome(id = "1, 1", expect = FORBIDDEN, desc = "the request was lost: demand is left and nothing is asked for")
@Outcome(expect = FORBIDDEN, desc = "emitted twice or not at all, or asked for more than demanded")
@State
public class RekeyDemandStress {

    private static final Generation G = new Generation(2, "jcstress", Instant.EPOCH, 1, false);

    private final AtomicInteger emitted = new AtomicInteger();
    private final AtomicInteger askedOfSession = new AtomicInteger();
    private final RekeyOnDemand.Coordinator coordinator;

    public RekeyDemandStress() {
        CoreSubscriber<Generation> downstream = new CoreSubscriber<>() {
            @Override
            public void onSubscribe(Subscription s) {
            }

            @Override
            public void onNext(Generation g) {
                emitted.incrementAndGet();
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        };
        coordinator = new RekeyOnDemand.Coordinator(downstream, g -> Mono.empty(), () -> { });
        coordinator.onSubscribe(new Subscription() {
            @Override
            public void request(long n) {
                askedOfSession.addAndGet((int) n);
            }

            @Override
            public void cancel() {
            }
        });
        coordinator.request(1); // asks the session for one: the re-keying of it is what completes below
    }

    @Actor
    public void rekeyingCompletes() {
        coordinator.innerNext(G);
        coordinator.innerDone();
    }

    @Actor
    public void subscriberRequests() {
        coordinator.request(1);
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = emitted.get();
        r.r2 = askedOfSession.get();
    }
}
