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
 * A {@link Watcher}'s reference count against {@link Watcher#close()}: a call (acquire, use the
 * fd, release) races the last holder giving the watcher back and closing it. The fd is never
 * closed under the call, and it is closed exactly once, by whichever of the two ends last.
 *
 * <p>r1: 0 if the call ran on an open fd, 1 if it saw the fd closed under it, 2 if it was
 * refused (the watcher was closed before it started); r2: how many times the fd was closed.
 */
@JCStressTest
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the call ran on the open fd; closed once afterwards")
@Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "the call was refused with WatcherClosedException; closed once")
@Outcome(id = "1, .*", expect = FORBIDDEN, desc = "the fd was closed under a running call")
@Outcome(expect = FORBIDDEN, desc = "the fd was never closed, or closed more than once")
@State
public class WatcherCloseStress {

    private final FakeDeviceFile file = new FakeDeviceFile();
    private final Watcher watcher = FakeDeviceFile.watcher(file);

    public WatcherCloseStress() {
        watcher.acquire(); // the holder: a registration, say
    }

    @Actor
    public void aCall(II_Result r) {
        try {
            watcher.acquire();
        } catch (WatcherClosedException refused) {
            r.r1 = 2;
            return;
        }
        r.r1 = file.closes == 0 ? 0 : 1;
        watcher.release();
    }

    @Actor
    public void theHolderLetsGoAndCloses() {
        watcher.release();
        watcher.close();
    }

    @Arbiter
    public void count(II_Result r) {
        r.r2 = file.closes;
    }
}
