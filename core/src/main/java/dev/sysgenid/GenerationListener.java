/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/**
 * What an {@link EpollLoop} calls when a registered watcher becomes outdated. Calls are handed
 * to the registration's executor (so they run on the loop thread itself if that executor runs
 * tasks inline: then they must not block), one at a time per registration: the next call for
 * a registration comes only after the current one was acknowledged through {@link
 * LoopRegistration#acknowledge(int)}. If a call throws on the loop thread, that registration
 * ends ({@link #onTerminated} with the throwable as the cause); the loop serves the others.
 */
@FunctionalInterface
public interface GenerationListener {

    /**
     * The watcher is outdated; {@code generation} is the newest generation. Re-key, then call
     * {@code registration.acknowledge(generation)}. Until then no further call is made.
     *
     * @param registration the watcher's registration, through which to acknowledge
     * @param generation the newest generation
     */
    void onGeneration(LoopRegistration registration, int generation);

    /**
     * The loop stopped serving this registration for a reason other than its own {@link
     * LoopRegistration#close()}: the loop was closed or failed, a system call failed, the
     * executor rejected or threw, or {@link #onGeneration} threw, on whatever thread (then
     * {@code cause.getCause()} is what was thrown). The watcher is
     * closed already. Called at most once: on the executor or, if that takes no tasks any
     * more, on the loop thread itself (then it must not block).
     *
     * @param cause why the registration ended, with what was thrown as its cause, if anything
     */
    default void onTerminated(SysgenidException cause) {
    }
}
