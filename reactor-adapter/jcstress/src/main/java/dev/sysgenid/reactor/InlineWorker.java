/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * A worker that runs each task at once on the scheduling thread and, like a Reactor worker,
 * keeps what a task throws from its caller: so a lane's drain runs on the jcstress actors
 * themselves, in every interleaving they reach.
 */
final class InlineWorker implements Scheduler.Worker {

    @Override
    public Disposable schedule(Runnable task) {
        try {
            task.run();
        } catch (Throwable e) {
            // a Reactor worker hands it to Schedulers.onHandleError: the tests look at what ran
        }
        return () -> { };
    }

    @Override
    public void dispose() {
    }
}
