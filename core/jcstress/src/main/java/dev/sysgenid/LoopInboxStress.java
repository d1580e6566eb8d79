/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The epoll loop's submit/terminate hand-off ({@link LoopInbox}): a task offered while the loop
 * ends either runs on the loop thread or is refused (and the caller does its work), never
 * both, never neither. Neither would leak what the task was to release (a watcher's fd); both
 * would release it twice.
 *
 * <p>r1: 1 if the offer was accepted; r2: how many times the task ran.
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "accepted, and the ending loop ran it")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "refused: the caller does the work itself")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "accepted but never run: lost")
@Outcome(id = "0, 1", expect = FORBIDDEN, desc = "refused and run: done twice")
@Outcome(expect = FORBIDDEN, desc = "run more than once")
@State
public class LoopInboxStress {

    private final LoopInbox inbox = new LoopInbox();
    private int ran; // written on the loop's thread only, read by the arbiter

    @Actor
    public void submit(II_Result r) {
        r.r1 = inbox.offer(() -> ran++) ? 1 : 0;
    }

    @Actor
    public void loopEnds() {
        inbox.terminate();
    }

    @Arbiter
    public void count(II_Result r) {
        r.r2 = ran;
    }
}
