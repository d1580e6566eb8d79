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
 * The loop's hold on a registered watcher is given back exactly once (issue 11, item 2), even
 * when two paths end the registration at once: the loop's add, which found the registration
 * closed already, and the remove that its close queued (or: a failure and a late remove; the
 * shutdown and a refused task). A call is in progress on the watcher all along (a blocking read,
 * say): its fd must stay open until that call returns, then close once.
 *
 * <p>r1: closes of the fd while the call is still in progress; r2: closes after it returned.
 */
@JCStressTest
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the fd outlives the call in progress and is closed once")
@Outcome(id = "1, .*", expect = FORBIDDEN, desc = "released twice: the fd was closed under a call in progress (its number free for reuse)")
@Outcome(expect = FORBIDDEN, desc = "the fd was never closed, or closed more than once")
@State
public class RegistrationReleaseStress {

    private final FakeDeviceFile file = new FakeDeviceFile();
    private final Watcher watcher = FakeDeviceFile.watcher(file);
    private final LoopRegistration reg;

    public RegistrationReleaseStress() {
        watcher.acquire(); // the loop's hold, taken by register
        reg = new LoopRegistration(1, watcher, Runnable::run, (r, g) -> { }, null);
        watcher.acquire(); // a call in progress on another thread
    }

    @Actor
    public void addFindsItClosed() {
        reg.releaseWatcher();
    }

    @Actor
    public void removeRuns() {
        reg.releaseWatcher();
    }

    @Arbiter
    public void theCallReturns(II_Result r) {
        r.r1 = file.closes;
        watcher.release();
        r.r2 = file.closes;
    }
}
