/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import java.time.Duration;
import java.util.Objects;

import dev.sysgenid.Overseer;
import dev.sysgenid.WaitResult;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * An {@link Overseer} as Monos: move the counter after a restore, then wait until every tracked
 * watcher has acknowledged. Made by {@link ReactiveGenerations#overseer()}; owns its overseer
 * file, released by {@link #close()}.
 *
 * <p>Threads: the waits block in the kernel, so they run on the blocking scheduler given at
 * creation (default {@code Schedulers.boundedElastic()}) and never on the subscribing thread;
 * their result is signalled from that scheduler's thread. They can be subscribed from any
 * thread, event loops included. Cancelling a wait interrupts the blocked thread, which leaves
 * the kernel within about 100 ms; no interrupt outlives the call. Every Mono is cold: each
 * subscription makes the call once. Thread-safe.
 */
public final class ReactiveOverseer implements AutoCloseable {

    private final Overseer overseer;
    private final Scheduler blocking;

    ReactiveOverseer(Overseer overseer, Scheduler blocking) {
        this.overseer = overseer;
        this.blocking = blocking;
    }

    /**
     * Moves the counter to {@code max(minGeneration, current + 1)} (unsigned; it always moves).
     * TRIGGER is one quick ioctl that does not sleep, so it runs on the subscribing thread.
     *
     * @param minGeneration the generation the counter moves to at least (0: by one)
     * @return the new generation; fails with {@link dev.sysgenid.MissingCapabilityException}
     *         without CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN
     */
    public Mono<Integer> trigger(int minGeneration) {
        return Mono.fromCallable(() -> overseer.trigger(minGeneration));
    }

    /** {@return {@link #trigger(int)} with no minimum: the counter moves by one} */
    public Mono<Integer> trigger() {
        return trigger(0);
    }

    /**
     * Acknowledges the current generation for the overseer's own file and returns it: needed
     * after a change the overseer did not trigger itself (a hypervisor restore), before {@link
     * #awaitWatchers}, which otherwise ends at once with {@link
     * WaitResult.Outcome#CALLER_OUTDATED}. Quick system calls; runs on the subscribing thread.
     *
     * @return the generation acknowledged
     */
    public Mono<Integer> catchUp() {
        return Mono.fromCallable(overseer::catchUp);
    }

    /**
     * Waits until no tracked watcher is outdated. The result says what ended the wait; on
     * {@link WaitResult.Outcome#TIMED_OUT} it says how many tracked watchers were still
     * outdated. {@link WaitResult.Outcome#CALLER_OUTDATED} means the counter moved again under
     * someone else's trigger (use {@link #restoreCycle} to handle that for you).
     *
     * @param timeout how long to wait at most; {@link Duration#ZERO} waits not at all (the
     *        driver is asked once), as everywhere in this library: {@link #awaitWatchers()}
     *        waits without a limit
     * @return how the wait ended, on the blocking scheduler; cancelling interrupts the wait
     */
    public Mono<WaitResult> awaitWatchers(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return InterruptibleCall.mono(blocking, () -> overseer.awaitWatchers(timeout));
    }

    /**
     * {@link #awaitWatchers(Duration)} without a time limit: cancel to stop it.
     *
     * @return how the wait ended, on the blocking scheduler; cancelling interrupts the wait
     */
    public Mono<WaitResult> awaitWatchers() {
        return InterruptibleCall.mono(blocking, () -> overseer.awaitWatchers());
    }

    /**
     * One restore cycle: triggers a new generation (at least {@code minGeneration}), then waits
     * until every tracked watcher has acknowledged it, catching up and waiting again (within the
     * same timeout) if the counter moved again meanwhile. Runs on the blocking scheduler.
     *
     * @param minGeneration the generation the counter moves to at least (0: by one)
     * @param timeout how long to wait at most in total; {@link Duration#ZERO} waits not at all
     *        ({@link #restoreCycle()} waits without a limit)
     * @return how the wait ended: every tracked watcher acknowledged, or the timeout expired
     */
    public Mono<WaitResult> restoreCycle(int minGeneration, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return InterruptibleCall.mono(blocking, () -> overseer.restoreCycle(minGeneration, timeout));
    }

    /**
     * {@link #restoreCycle(int, Duration)} with no minimum: the counter moves by one.
     *
     * @param timeout how long to wait at most in total; {@link Duration#ZERO} waits not at all
     *        ({@link #restoreCycle()} waits without a limit)
     * @return how the wait ended
     */
    public Mono<WaitResult> restoreCycle(Duration timeout) {
        return restoreCycle(0, timeout);
    }

    /**
     * {@link #restoreCycle(Duration)} without a time limit: the counter moves by one, then the
     * wait lasts until every tracked watcher has acknowledged; cancel to stop it.
     *
     * @return how the wait ended, on the blocking scheduler; cancelling interrupts the wait
     */
    public Mono<WaitResult> restoreCycle() {
        return InterruptibleCall.mono(blocking, () -> {
            overseer.trigger();
            return overseer.awaitLatestGeneration();
        });
    }

    /** {@return the overseer underneath, for calls not offered here} */
    public Overseer overseer() {
        return overseer;
    }

    /**
     * Closes the overseer's file (idempotent). Later calls fail with {@link
     * dev.sysgenid.WatcherClosedException}; a wait already running goes on until it ends, and
     * the file is closed then (cancel the wait first to end it at once).
     */
    @Override
    public void close() {
        overseer.close();
    }
}
