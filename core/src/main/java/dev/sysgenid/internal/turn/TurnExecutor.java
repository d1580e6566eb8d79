/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal.turn;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Not API: exported only to {@code dev.sysgenid.reactor}, whose delivery lanes implement it (on
 * the class path it is public but unsupported, and may change in any release).
 *
 * <p>An {@link Executor} for {@code EpollLoop} registrations that lets the loop hand over a whole
 * turn's listener calls before any of them starts: one change reaching many registrations then
 * wakes the executor's thread once, after the last hand-off, instead of at the first (where
 * the woken thread can take the CPU from the loop and the two alternate once per watcher).
 *
 * <p>For each listener call of a turn the loop calls {@link #executeLater} on its thread; after
 * the turn (still on its thread) it calls {@link #flush()} once on every executor whose {@code
 * executeLater} returned true. Calls from elsewhere use {@link #execute} as usual and must start
 * without a flush.
 */
public interface TurnExecutor extends Executor {

    /**
     * Accepts {@code task}, which need not start before the next {@link #flush()}. Called on the
     * loop thread only; never blocks.
     *
     * @param task a listener call
     * @return true if this executor now needs that flush (the loop then calls it once, after
     *         this turn), false if it already does or does not need one
     */
    boolean executeLater(Runnable task);

    /**
     * Starts what {@link #executeLater} accepted. Called on the loop thread only, once after a
     * turn in which {@code executeLater} returned true; never blocks.
     *
     * @throws RejectedExecutionException if nothing can run any more: the loop then ends the
     *         registrations whose calls it handed over in that turn
     */
    void flush();
}
