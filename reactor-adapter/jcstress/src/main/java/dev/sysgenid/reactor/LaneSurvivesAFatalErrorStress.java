/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.atomic.AtomicInteger;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

import reactor.core.scheduler.Schedulers;

/**
 * Two subscriptions share a lane; one's task throws a JVM-fatal error (a subscriber's {@code
 * onNext} that throws {@link LinkageError}) while the other's is handed over. The innocent task
 * must run, whichever comes first.
 */
@JCStressTest
@Outcome(id = "1", expect = ACCEPTABLE, desc = "the innocent task ran, before or after the fatal error")
@Outcome(id = "0", expect = FORBIDDEN,
        desc = "the lane is wedged: the task was queued behind a drain that the fatal error ended, and never ran")
@Outcome(expect = FORBIDDEN, desc = "the task ran more than once")
@State
public class LaneSurvivesAFatalErrorStress {

    private final DeliveryLanes.Lane lane = new DeliveryLanes.Lane(Schedulers.immediate(), new InlineWorker());
    private final AtomicInteger innocentRuns = new AtomicInteger();

    @Actor
    public void poisoned() {
        lane.execute(() -> {
            throw new LinkageError("a subscriber's class failed to link");
        });
    }

    @Actor
    public void innocent() {
        lane.execute(innocentRuns::incrementAndGet);
    }

    @Arbiter
    public void arbiter(I_Result r) {
        r.r1 = innocentRuns.get();
    }
}
