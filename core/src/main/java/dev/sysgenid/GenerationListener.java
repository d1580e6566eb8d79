/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/**
 * What an {@link EpollLoop} calls when a registered watcher becomes outdated. Calls arrive on
 * the registration's executor, never on the loop thread, one at a time per registration: the
 * next call for a registration comes only after it was acknowledged through {@link
 * LoopRegistration#acknowledge(int)}.
 */
@FunctionalInterface
public interface GenerationListener {

    /**
     * The watcher is outdated; {@code generation} is the newest generation. Re-key, then call
     * {@code registration.acknowledge(generation)}. Until then no further call is made.
     */
    void onGeneration(LoopRegistration registration, int generation);

    /**
     * The loop stopped serving this registration for a reason other than its own {@link
     * LoopRegistration#close()}: the loop was closed or a system call failed. The watcher is
     * closed already. Called at most once, on the executor.
     */
    default void onTerminated(SysgenidException cause) {
    }
}
