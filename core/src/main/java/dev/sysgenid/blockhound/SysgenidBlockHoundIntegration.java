/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.blockhound;

import java.util.List;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Teaches BlockHound which sysgenid calls block, so that calling one on a non-blocking thread
 * (a Reactor parallel or single worker, a Netty event loop) is reported. On the class path
 * {@code BlockHound.install()} finds it through {@code META-INF/services}; on the module path
 * (where an optional dependency cannot offer a service) install it yourself: {@code
 * BlockHound.install(new SysgenidBlockHoundIntegration())}. BlockHound is an optional dependency
 * and this class is never loaded without it.
 *
 * <p>Blocking: {@code Watcher#read} (sleeps in poll until a change), {@code
 * Overseer#awaitWatchers}, {@code Overseer#awaitLatestGeneration} and {@code
 * Overseer#restoreCycle} (sleep in WAIT_WATCHERS). Not
 * blocking: {@code Overseer#trigger} and everything else (one quick system call that never
 * sleeps: the epoll loop's acknowledgements, tracking, opening and closing watchers).
 *
 * <p>Allowed: the simulated device guards its state with a lock held for a few instructions,
 * as the driver does with its own lock; the system calls it stands in for do not block, so
 * contention on that lock is not reported. Its WAIT_WATCHERS, which does block, is not allowed
 * (and is reached only through the blocking overseer methods anyway).
 */
@SuppressWarnings("exports") // BlockHound is optional: whoever uses this class has it
public final class SysgenidBlockHoundIntegration implements BlockHoundIntegration {

    /** The integration; {@code BlockHound.install()} makes one itself on the class path. */
    public SysgenidBlockHoundIntegration() {
    }

    /*
     * Classes and methods are named by strings, which nothing checks when a method is renamed:
     * BlockHoundNamesTest finds every one of them by reflection, so a rename fails the build.
     */

    /** A method BlockHound reports on a non-blocking thread: class, name, JVM descriptor. */
    record Blocking(String className, String method, String descriptor) {
    }

    /** Methods inside which blocking is allowed: class and method names. */
    record Allowed(String className, List<String> methods) {
    }

    private static final String KERNEL = "dev.sysgenid.internal.SimulatedKernel";

    static final List<Blocking> BLOCKING = List.of(
            new Blocking("dev.sysgenid.Watcher", "read", "(Ljava/time/Duration;)Ljava/util/OptionalInt;"),
            new Blocking("dev.sysgenid.Overseer", "awaitWatchers", "(Ljava/time/Duration;)Ldev/sysgenid/WaitResult;"),
            new Blocking("dev.sysgenid.Overseer", "awaitWatchers", "()Ldev/sysgenid/WaitResult;"),
            new Blocking("dev.sysgenid.Overseer", "awaitLatestGeneration", "(Ljava/time/Duration;)Ldev/sysgenid/WaitResult;"),
            new Blocking("dev.sysgenid.Overseer", "awaitLatestGeneration", "()Ldev/sysgenid/WaitResult;"),
            new Blocking("dev.sysgenid.Overseer", "restoreCycle", "(ILjava/time/Duration;)Ldev/sysgenid/WaitResult;"));

    static final List<Allowed> ALLOWED = List.of(
            new Allowed(KERNEL, List.of("generation", "trackedWatchers", "outdatedWatchers", "bumpUnlessClosed", "open")),
            new Allowed(KERNEL + "$SimulatedFile", List.of("read", "write", "setTracking", "close")));

    /** Marks the blocking calls above and allows the simulated device's short lock. */
    @Override
    public void applyTo(BlockHound.Builder builder) {
        for (Blocking b : BLOCKING) {
            builder.markAsBlocking(b.className(), b.method(), b.descriptor());
        }
        for (Allowed a : ALLOWED) {
            for (String m : a.methods()) {
                builder.allowBlockingCallsInside(a.className(), m);
            }
        }
    }
}
