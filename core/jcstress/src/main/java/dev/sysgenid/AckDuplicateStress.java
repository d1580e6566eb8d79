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
 * {@link LoopRegistration}'s dispatch state against a repeated acknowledgement (issue 11, item
 * 4). Listener call #1 was given generation 11 and has acknowledged it; now it acknowledges 11
 * a second time while the loop starts call #2 (generation 12) for the next change. The repeat
 * belongs to call #1 and must not end call #2: when another event arrives afterwards (the
 * arbiter), it must be remembered as missed, not start a third call that would overlap call #2
 * and deliver a change again.
 *
 * <p>r1: whether the loop started call #2; r2: whether the later event would start another call.
 */
@JCStressTest
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "call #2 runs; the later event waits for its acknowledgement")
@Outcome(id = "1, 1", expect = FORBIDDEN, desc = "call #1's repeated acknowledgement ended call #2: a third call would overlap it")
@Outcome(expect = FORBIDDEN, desc = "call #2 was not started though call #1 had acknowledged")
@State
public class AckDuplicateStress {

    private final FakeDeviceFile file = new FakeDeviceFile();
    private final Watcher watcher = FakeDeviceFile.watcher(file);
    private final LoopRegistration reg = new LoopRegistration(1, watcher, Runnable::run, (r, g) -> { }, null);

    public AckDuplicateStress() {
        reg.beginDispatch();
        reg.prepareListenerCall(11);
        reg.acknowledge(11); // call #1's acknowledgement
    }

    @Actor
    public void firstCallAcknowledgesAgain() {
        reg.acknowledge(11);
    }

    @Actor
    public void loopStartsTheSecondCall(II_Result r) {
        if (reg.beginDispatch()) {
            reg.prepareListenerCall(12);
            r.r1 = 1;
        }
    }

    @Arbiter
    public void aLaterEvent(II_Result r) {
        r.r2 = reg.beginDispatch() ? 1 : 0;
        watcher.close();
    }
}
