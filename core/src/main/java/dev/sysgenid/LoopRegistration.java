/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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
    /*
     * Dispatch state. The fd is armed edge-triggered: each change is one event, and nothing
     * re-arms it. IDLE -> DISPATCHED when the loop hands a change to the listener; an event
     * that arrives meanwhile turns it into MISSED; the acknowledgement sets IDLE again and, if
     * an event was missed or the ack was stale, asks the loop to look at the fd once more. So
     * there is one listener call at a time, no change is lost, and an acknowledgement costs
     * the write alone (no epoll_ctl).
     */
    private static final int IDLE = 0;
    private static final int DISPATCHED = 1;
    private static final int MISSED = 2;
    private final AtomicInteger dispatchState = new AtomicInteger(IDLE);
    /** The one listener call in flight, preallocated. */
    private final Runnable delivery = this::deliver;
    /** The loop-thread task that looks at the fd again after a missed event or a stale ack. */
    final Runnable recheckTask;
    private volatile int pendingGeneration;

    LoopRegistration(long id, Watcher watcher, Executor executor, GenerationListener listener, EpollLoop loop) {
        this.id = id;
        this.watcher = watcher;
        this.executor = executor;
        this.listener = listener;
        this.loop = loop;
        this.recheckTask = () -> loop.recheckNow(this);
    }

    /** The registered watcher (for tracking and inspection; do not close it directly). */
    public Watcher watcher() {
        return watcher;
    }

    /**
     * Acknowledges {@code generation} (the one the listener was given) and lets the next change
     * through. On {@link AckResult#STALE}, or if the counter moved while the listener ran, the
     * listener is called again with the newest generation, so the newest always wins. Only
     * the first acknowledgement after a listener call counts: acknowledging twice never brings
     * the same change twice.
     *
     * @throws WatcherClosedException if the registration has ended
     */
    public AckResult acknowledge(int generation) {
        AckResult r = watcher.acknowledge(generation);
        int prev;
        do {
            prev = dispatchState.get();
            if (prev == IDLE) {
                return r;
            }
        } while (!dispatchState.compareAndSet(prev, IDLE));
        if (prev == MISSED || r == AckResult.STALE) {
            loop.recheck(this);
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

    /**
     * Loop thread, on an event: true if the loop should read the fd and dispatch now; false if
     * a listener call is in flight (the event is remembered as MISSED).
     */
    boolean beginDispatch() {
        while (true) {
            int s = dispatchState.get();
            if (s == IDLE) {
                if (dispatchState.compareAndSet(IDLE, DISPATCHED)) {
                    return true;
                }
            } else if (s == DISPATCHED) {
                if (dispatchState.compareAndSet(DISPATCHED, MISSED)) {
                    return false;
                }
            } else {
                return false;
            }
        }
    }

    /** Loop thread: after {@link #beginDispatch()}, the fd had nothing to report after all. */
    void cancelDispatch() {
        dispatchState.set(IDLE);
    }

    /**
     * Loop thread: records {@code generation} for the next listener call and returns that call,
     * for the loop to hand to {@link #executor}; it runs the listener unless the registration
     * has ended by then.
     */
    Runnable prepareDelivery(int generation) {
        pendingGeneration = generation;
        return delivery;
    }

    private void deliver() {
        if (!closed.get()) {
            listener.onGeneration(this, pendingGeneration);
        }
    }
}
