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
import org.openjdk.jcstress.infra.results.II_Result;

import reactor.core.scheduler.Schedulers;

/**
 * The epoll loop hands a listener call to a lane for after its turn ({@code executeLater},
 * then {@code flush} if asked) while a subscriber's request hands a drain to the same lane
 * ({@code execute}): each hand-off runs exactly once, however they interleave.
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both hand-offs ran once")
@Outcome(expect = FORBIDDEN, desc = "a hand-off was lost (0) or ran twice (2)")
@State
public class LaneHandOffStress {

    private final DeliveryLanes.Lane lane = new DeliveryLanes.Lane(Schedulers.immediate(), new InlineWorker());
    private final AtomicInteger loopRuns = new AtomicInteger();
    private final AtomicInteger requestRuns = new AtomicInteger();

    @Actor
    public void loop() {
        if (lane.executeLater(loopRuns::incrementAndGet)) {
            lane.flush();
        }
    }

    @Actor
    public void request() {
        lane.execute(requestRuns::incrementAndGet);
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = loopRuns.get();
        r.r2 = requestRuns.get();
    }
}
