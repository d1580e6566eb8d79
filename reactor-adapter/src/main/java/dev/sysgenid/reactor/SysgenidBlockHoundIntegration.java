/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Teaches BlockHound which sysgenid calls block, so that calling one on a non-blocking thread
 * (a Reactor parallel or single worker, a Netty event loop) is reported. Loaded by
 * {@code BlockHound.install()} through {@code META-INF/services}; BlockHound is an optional
 * dependency and this class is never loaded without it.
 *
 * <p>Blocking: {@code Watcher#read} (sleeps in poll until a change), {@code
 * Overseer#awaitWatchers} and {@code Overseer#restoreCycle} (sleep in WAIT_WATCHERS). Not
 * blocking: {@code Overseer#trigger} and everything else (one quick system call that never
 * sleeps: the epoll loop's acknowledgements, tracking, opening and closing watchers).
 *
 * <p>Allowed: the simulated device guards its state with a lock held for a few instructions,
 * as the driver does with its own lock; the system calls it stands in for do not block, so
 * contention on that lock is not reported. Its WAIT_WATCHERS, which does block, is not allowed
 * (and is reached only through the blocking overseer methods anyway).
 */
public final class SysgenidBlockHoundIntegration implements BlockHoundIntegration {

    private static final String KERNEL = "dev.sysgenid.internal.SimulatedKernel";
    private static final String FILE = KERNEL + "$SimulatedFile";

    /** Marks the blocking calls above and allows the simulated device's short lock. */
    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.markAsBlocking("dev.sysgenid.Watcher", "read", "(Ljava/time/Duration;)Ljava/util/OptionalInt;");
        builder.markAsBlocking("dev.sysgenid.Overseer", "awaitWatchers",
                "(Ljava/time/Duration;)Ldev/sysgenid/WaitResult;");
        builder.markAsBlocking("dev.sysgenid.Overseer", "restoreCycle",
                "(ILjava/time/Duration;)Ldev/sysgenid/WaitResult;");
        for (String m : new String[] {"generation", "trackedWatchers", "outdatedWatchers", "bump", "open"}) {
            builder.allowBlockingCallsInside(KERNEL, m);
        }
        for (String m : new String[] {"read", "write", "setTracking", "close"}) {
            builder.allowBlockingCallsInside(FILE, m);
        }
    }
}
