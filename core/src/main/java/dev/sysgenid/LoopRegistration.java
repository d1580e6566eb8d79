/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A watcher registered with an {@link EpollLoop}. It owns the watcher: {@link #close()} (or the
 * loop's end) closes it, so a tracked watcher lives exactly as long as its registration.
 * Thread-safe; close is idempotent.
 */
public final class LoopRegistration implements AutoCloseable {

    final long id;
    final Watcher watcher;
    final Executor executor;
    final GenerationListener listener;
    private final EpollLoop loop;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set when a change is handed to the listener, cleared by the acknowledgement that re-arms. */
    private final AtomicBoolean awaitingAck = new AtomicBoolean();
    /** The one listener call in flight (one at a time: the fd is re-armed only by its ack). */
    private final Runnable delivery = this::deliver;
    /** The loop-thread task that re-arms this registration after an acknowledgement. */
    final Runnable rearmTask;
    private volatile int pendingGeneration;

    LoopRegistration(long id, Watcher watcher, Executor executor, GenerationListener listener, EpollLoop loop) {
        this.id = id;
        this.watcher = watcher;
        this.executor = executor;
        this.listener = listener;
        this.loop = loop;
        this.rearmTask = () -> loop.armAgain(this);
    }

    /** The registered watcher (for tracking and inspection; do not close it directly). */
    public Watcher watcher() {
        return watcher;
    }

    /**
     * Acknowledges {@code generation} and re-arms the registration. On {@link AckResult#STALE}
     * the listener is called again with the newest generation, so the newest always wins. Only
     * the first acknowledgement after a listener call re-arms: acknowledging twice never brings
     * the same change twice.
     *
     * @throws WatcherClosedException if the registration has ended
     */
    public AckResult acknowledge(int generation) {
        AckResult r = watcher.acknowledge(generation);
        if (awaitingAck.compareAndSet(true, false)) {
            loop.rearm(this);
        }
        return r;
    }

    /** Whether this registration has ended. */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Ends the registration. When this returns, the watcher no longer counts for the overseer
     * (tracking is off) and no listener call starts any more (one already running finishes);
     * the loop closes the fd itself moments later, on its own thread, so that an fd number is
     * never reused while still in its epoll set.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (watcher.isTracked()) {
                try {
                    watcher.setTracking(false);
                } catch (SysgenidException ignored) {
                    // closed already: nothing is tracked any more
                }
            }
            loop.deregister(this);
        }
    }

    /** Marks the registration ended by the loop; true if it was still open. */
    boolean terminate() {
        return closed.compareAndSet(false, true);
    }

    /** Runs a listener call on the executor unless the registration has ended by then. */
    void dispatch(int generation) {
        pendingGeneration = generation;
        awaitingAck.set(true);
        executor.execute(delivery);
    }

    private void deliver() {
        if (!closed.get()) {
            listener.onGeneration(this, pendingGeneration);
        }
    }
}
