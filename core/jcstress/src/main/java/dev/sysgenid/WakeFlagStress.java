/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The epoll loop's wake-up ({@link WakeFlag} with {@link LoopInbox}): a producer queues a task
 * and raises the flag while the loop, woken by an earlier write, lowers it and runs its turn's
 * tasks. The task must run in that turn or the producer must write the eventfd (a next turn):
 * neither leaves it in the inbox while the loop sleeps in epoll_wait with no timeout.
 *
 * <p>r1: 1 if the producer's raise succeeded (it writes the eventfd); r2: how many times the
 * task ran in the loop's turn.
 */
@JCStressTest
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "rode on the earlier wake-up: ran in this turn")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "ran in this turn, and one spare wake-up written")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "queued after the turn read the inbox: its own wake-up brings the next turn")
@Outcome(id = "0, 0", expect = FORBIDDEN, desc = "no wake-up written and not run: lost while the loop sleeps")
@Outcome(expect = FORBIDDEN, desc = "run more than once")
@State
public class WakeFlagStress {

    private final LoopInbox inbox = new LoopInbox();
    private final WakeFlag flag = new WakeFlag();
    private int ran; // written on the loop's thread only

    public WakeFlagStress() {
        flag.raise(); // the earlier write, which the loop has just seen
    }

    @Actor
    public void producer(II_Result r) {
        inbox.offer(() -> ran++);
        r.r1 = flag.raise() ? 1 : 0;
    }

    @Actor
    public void loopTurn(II_Result r) {
        flag.lower();
        inbox.runQueued();
        r.r2 = ran;
    }
}
