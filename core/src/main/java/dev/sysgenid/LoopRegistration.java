/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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
    /** The loop's hold on the watcher (taken at register) is given back once, whoever ends it. */
    private final AtomicBoolean released = new AtomicBoolean();
    /*
     * Dispatch state. The fd is armed edge-triggered: each change is one event, and nothing
     * re-arms it. IDLE -> DISPATCHED when the loop takes a change for the listener; an event
     * that arrives meanwhile turns it into MISSED; the acknowledgement sets IDLE again and, if
     * an event was missed or the ack was stale, asks the loop to look at the fd once more. So
     * there is one listener call at a time, no change is lost, and an acknowledgement costs
     * the write alone (no epoll_ctl).
     *
     * An acknowledgement ends the listener call it belongs to, and no other: it counts only
     * once the loop has handed the call over (HANDED_OVER), and one that repeats the generation
     * that ended the previous call (bits 32..63, valid with ENDED_BY) is that call's duplicate,
     * not this one's. All of it is one word, so the checks and the transition are one CAS.
     */
    private static final long IDLE = 0;
    private static final long DISPATCHED = 1;
    private static final long MISSED = 2;
    private static final long PHASE = 3;
    private static final long HANDED_OVER = 4;
    private static final long ENDED_BY = 8;
    private static final long KEEP_ENDED_BY = ENDED_BY | 0xFFFF_FFFF_0000_0000L;
    private final AtomicLong dispatch = new AtomicLong(IDLE);
    /** The one listener call in flight, preallocated: what the loop hands to {@link #executor}. */
    private final Runnable listenerCall = this::callListener;
    /** The loop-thread task that looks at the fd again after a missed event or a stale ack. */
    final Runnable recheckTask;
    /** The loop-thread task that adds the fd to epoll again (see {@link #addedOutdated}). */
    final Runnable rearmTask;
    /**
     * Set while the fd may have been outdated when the loop last added it to its epoll set.
     * The production driver's poll does not put an outdated file on its wait queue, so such an
     * epoll registration gets the edge of its ADD and never another: the first acknowledgement
     * written after that ADD, on whatever path (a listener call's, one outside any call, one
     * straight through the watcher, as the library's own code may write it), takes the mark
     * and asks the loop to add the fd again, now (normally) up to date. Set by the loop just
     * before each ADD, and taken once (compare-and-set): by that acknowledgement, or by the loop
     * itself right after the ADD when the ADD surely found the watcher up to date (see {@code
     * EpollLoop.arm}): at most one re-arm per ADD. Never set where the driver's poll registers
     * an outdated file ({@link #rearms} false). Rare (a change between open and
     * registration), so the common acknowledgement stays one write and one volatile read.
     */
    private final AtomicBoolean addedOutdated = new AtomicBoolean();
    /** Whether the loop must re-arm after an ADD that may have found the watcher outdated. */
    final boolean rearms;
    /** The generation of the call in flight: written by the loop before the hand-off, read by it. */
    private int callGeneration;

    LoopRegistration(long id, Watcher watcher, Executor executor, GenerationListener listener, EpollLoop loop) {
        this.id = id;
        this.watcher = watcher;
        this.executor = executor;
        this.listener = listener;
        this.loop = loop;
        this.recheckTask = () -> loop.recheckNow(this);
        this.rearmTask = () -> loop.rearmNow(this);
        this.rearms = !watcher.pollRegistersOutdated;
    }

    /**
     * Turns the watcher's tracking on or off (see {@link Watcher#setTracking}): a tracked watcher
     * holds up the overseer's wait while it is outdated. The watcher itself is not handed out:
     * the registration owns it, and only {@link #close()} (or the loop's end) closes it.
     *
     * @param on whether the overseer's wait counts the watcher
     * @throws WatcherClosedException if the registration has ended
     */
    public void setTracking(boolean on) {
        if (closed.get()) {
            throw closedError();
        }
        watcher.setTracking(on);
        // A close() that ran between the check above and the ioctl saw the watcher untracked and
        // left it so: turn tracking off again, or the overseer would count a closed registration
        // until the loop gets round to closing the fd.
        if (on && closed.get()) {
            watcher.untrackWhileOpen(); // also if the watcher's own close() ended this registration
            throw closedError();
        }
    }

    private static WatcherClosedException closedError() {
        return new WatcherClosedException("loop registration", "register a new watcher (GenerationDevice.watch).");
    }

    /**
     * {@return whether the watcher is tracked (see {@link #setTracking})} False once the
     * registration has ended, whoever ended it: its watcher no longer counts for the overseer.
     */
    public boolean isTracked() {
        return !closed.get() && watcher.isTracked();
    }

    /**
     * Whether the watcher is outdated right now: the counter has moved since the generation it
     * last acknowledged (at first: the one current when it was opened). One poll(2).
     *
     * @return true if outdated
     * @throws WatcherClosedException if the registration has ended and the loop closed the watcher
     */
    public boolean isOutdated() {
        return watcher.isOutdated();
    }

    /**
     * Acknowledges {@code generation} (the one the listener was given, or a newer one it read
     * itself) and lets the next change through. On {@link AckResult#STALE}, or if the counter
     * moved while the listener ran, the listener is called again with the newest generation,
     * so the newest always wins.
     *
     * <p>One acknowledgement per listener call: the first one ends the call. A repeated
     * acknowledgement of the same generation (after the next call has started, say) is written
     * to the device but ends nothing, so it never brings the same change twice nor lets two
     * calls overlap.
     *
     * @param generation the generation the listener re-keyed for
     * @return {@link AckResult#ACKNOWLEDGED}, or {@link AckResult#STALE} if the counter has moved
     *         past it (the listener is then called again with the newest)
     * @throws WatcherClosedException if the registration has ended (at once, also in a
     *         listener call still running when {@link #close()} was called)
     */
    public AckResult acknowledge(int generation) {
        if (closed.get()) {
            throw closedError(); // at once, not only once the loop has closed the fd
        }
        AckResult r = watcher.acknowledge(generation);
        long ended = ((long) generation << 32) | ENDED_BY;
        long prev;
        do {
            prev = dispatch.get();
            if ((prev & HANDED_OVER) == 0 || (prev & KEEP_ENDED_BY) == ended) {
                return r; // no call handed over, or the call before this one acknowledging again
            }
        } while (!dispatch.compareAndSet(prev, ended));
        if ((prev & PHASE) == MISSED || r == AckResult.STALE) {
            loop.recheck(this); // after the re-arm the write may have asked for: tasks run in order
        }
        return r;
    }

    /**
     * Called by the watcher after every acknowledgement it wrote successfully, whoever wrote
     * it: if the fd was added while possibly outdated, asks the loop (once) to add it again.
     */
    void acknowledgementWritten() {
        if (addedOutdated.get() && addedOutdated.compareAndSet(true, false)) {
            loop.rearm(this);
        }
    }

    /** Loop thread, just before an ADD: the fd may be outdated when it is added (see {@link #addedOutdated}). */
    void markAddedOutdated() {
        addedOutdated.set(true);
    }

    /** Loop thread: takes the mark back; false if an acknowledgement took it first (and asked for the re-arm). */
    boolean takeAddedOutdated() {
        return addedOutdated.compareAndSet(true, false);
    }

    /** {@return whether this registration has ended} */
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
                watcher.untrackWhileOpen(); // also when the watcher's own close() is what ends this
            }
            loop.deregister(this);
        }
    }

    /** Marks the registration ended by the loop; true if it was still open. */
    boolean terminate() {
        return closed.compareAndSet(false, true);
    }

    /**
     * Gives back the loop's hold on the watcher and closes it (the fd goes when the last call
     * in progress on it returns). Every path that ends a registration calls this (the loop's
     * add after an early close, its remove, a failure, the shutdown, a refused task); only the
     * first call does anything, so the hold is released exactly once.
     */
    void releaseWatcher() {
        if (released.compareAndSet(false, true)) {
            watcher.release();
            watcher.closeOwned();
        }
    }

    /**
     * Loop thread, on an event: true if the loop should read the fd and dispatch now; false if
     * a listener call is in flight (the event is remembered as MISSED).
     */
    boolean beginDispatch() {
        while (true) {
            long s = dispatch.get();
            long phase = s & PHASE;
            if (phase == IDLE) {
                if (dispatch.compareAndSet(s, (s & KEEP_ENDED_BY) | DISPATCHED)) {
                    return true;
                }
            } else if (phase == DISPATCHED) {
                if (dispatch.compareAndSet(s, (s & ~PHASE) | MISSED)) {
                    return false;
                }
            } else {
                return false;
            }
        }
    }

    /** Loop thread: after {@link #beginDispatch()}, the fd had nothing to report after all. */
    void cancelDispatch() {
        // nothing else writes the word before the call is handed over (acks ignore it)
        dispatch.set(dispatch.get() & KEEP_ENDED_BY);
    }

    /**
     * Loop thread: records {@code generation} for the next listener call and returns that call,
     * for the loop to hand to {@link #executor}; it runs the listener unless the registration
     * has ended by then. From here on an acknowledgement can end the call.
     */
    Runnable prepareListenerCall(int generation) {
        callGeneration = generation;
        // DISPATCHED, not yet handed over: only the loop thread writes the word in this phase.
        // A call for the generation that ended the previous one (TRIGGER can bring a value
        // back) forgets that ending: else this call's own acknowledgement would pass for the
        // previous call's repeat and end nothing, and the registration would go deaf. The
        // previous call's repeat then ends this call instead; it writes the same value, so the
        // device sees this call's acknowledgement either way.
        long s = dispatch.get();
        if ((s & KEEP_ENDED_BY) == (((long) generation << 32) | ENDED_BY)) {
            s &= ~KEEP_ENDED_BY;
        }
        dispatch.set(s | HANDED_OVER);
        return listenerCall;
    }

    private void callListener() {
        if (closed.get()) {
            return;
        }
        try {
            listener.onGeneration(this, callGeneration);
        } catch (Throwable e) {
            if (!loop.onLoopThread()) {
                loop.listenerThrew(this, e); // the loop would not hear of it, and no ack would come
            }
            throw e; // still the executor's to handle (log, onHandleError); on the loop thread the
                     // loop ends the registration itself, out of the executor's execute
        }
    }
}
