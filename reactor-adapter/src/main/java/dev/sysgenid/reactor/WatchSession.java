/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.sysgenid.AckResult;
import dev.sysgenid.GenerationDevice;
import dev.sysgenid.GenerationListener;
import dev.sysgenid.LoopRegistration;
import dev.sysgenid.SysgenidException;
import reactor.core.scheduler.Scheduler;

/**
 * What one subscription holds: its loop registration (made with {@link GenerationDevice#watch},
 * which owns the watcher) and where its signals run: a shared {@link DeliveryLanes} lane of
 * {@code Schedulers.parallel()} (the default), or a worker of its own of any other scheduler. It
 * is the resource of the subscription's {@code Flux.using}, so {@link #close()} is the one
 * clean-up path for cancel, complete, error and a throwing subscriber alike.
 *
 * <p>The registration is made when the session opens, before the subscriber is there: until
 * {@link #attach} names the listener, a change (at most one: the loop waits for its
 * acknowledgement) or the registration's end waits here, and is handed on at the attach.
 *
 * <p>Thread-safety: {@link #attach} and {@link #close} may race (a cancel during subscribe);
 * both hold this object's monitor for a few non-blocking calls. Acknowledgements come from any
 * thread, one at a time in practice (the loop delivers the next generation only after one).
 */
final class WatchSession implements PendingAck.Target, GenerationListener {

    private final GenerationDevice device;
    private final GenerationOptions options;
    private final Scheduler scheduler;
    /** This subscription's own worker, or null on a shared lane. */
    private final Scheduler.Worker worker;
    /** This subscription's shared lane, or null with a worker of its own. */
    private final DeliveryLanes.Lane lane;
    /** Told when {@link #delivery} rejects a task: set by {@link #attach}. */
    private volatile Consumer<RejectedExecutionException> onRejected;
    /** Runs every signal of this subscription, in order, one at a time. */
    private final Executor delivery;
    private final RekeyMetrics metrics;
    private boolean upToDateAtOpen; // written by open, before the session is shared
    // The next three are written under this object's monitor and read without it on the data
    // path (each change, each acknowledgement): a volatile read instead of a lock and an unlock.
    private volatile LoopRegistration registration;
    private volatile boolean closed;
    /** Who the registration's calls go to, once attached; until then they wait below. */
    private volatile GenerationListener listener;
    private boolean changeWaiting; // guarded by this
    private int waitingGeneration; // guarded by this
    private SysgenidException endWaiting; // guarded by this
    /** The last generation this subscription acknowledged (at first: the one current at open). */
    private volatile int acknowledged;
    /** RELEASE policy: tracking is off until the next acknowledged re-keying. */
    private volatile boolean released;

    private WatchSession(GenerationDevice device, GenerationOptions options, DeliveryLanes lanes) {
        this.device = device;
        this.options = options;
        this.scheduler = options.scheduler();
        this.metrics = RekeyMetrics.of(options, device);
        if (lanes != null && lanes.scheduler() == scheduler) {
            this.worker = null;
            this.lane = lanes.assign();
            this.delivery = lane;
        } else {
            this.worker = scheduler.createWorker();
            this.lane = null;
            this.delivery = this::scheduleOnOwnWorker;
        }
    }

    /** The delivery of a session with a worker of its own. */
    private void scheduleOnOwnWorker(Runnable task) {
        try {
            worker.schedule(task);
        } catch (RejectedExecutionException e) {
            deliveryRejected(e);
            throw e; // the loop then ends the registration
        }
    }

    /**
     * The delivery executor rejected a task (its scheduler was disposed): nothing of this
     * subscription can run there any more. Called on the thread that was rejected.
     */
    void deliveryRejected(RejectedExecutionException cause) {
        Consumer<RejectedExecutionException> l = onRejected;
        if (l != null) {
            l.accept(cause);
        }
    }

    /**
     * Registers a watcher (tracked if asked) with the device's loop, delivering on a lane of
     * {@code lanes} if its scheduler is the options' one, else on a worker of its own. All or
     * nothing: on failure nothing stays open. Quick system calls only.
     */
    static WatchSession open(GenerationDevice device, GenerationOptions options, DeliveryLanes lanes) {
        WatchSession session = new WatchSession(device, options, lanes);
        try {
            if (session.lane != null) {
                session.lane.join(session);
            }
            int before = device.currentGeneration();
            LoopRegistration reg = device.watch(options.tracked(), session.delivery, session);
            synchronized (session) {
                session.registration = reg;
            }
            // Not outdated now means nothing moved since the watcher opened, so 'now' is what it
            // remembered; outdated, it remembered 'before' or a generation between (reported next).
            int now = device.currentGeneration();
            session.upToDateAtOpen = !reg.isOutdated();
            session.acknowledged = session.upToDateAtOpen ? now : before;
            return session;
        } catch (RuntimeException | Error e) {
            session.close();
            throw e;
        }
    }

    GenerationOptions options() {
        return options;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    /** Where every signal of this subscription runs (rejects once the scheduler is disposed). */
    Executor delivery() {
        return delivery;
    }

    RekeyMetrics metrics() {
        return metrics;
    }

    /** The element for {@link GenerationOptions#withEmitCurrentOnSubscribe}, or null if there is none. */
    Generation initial() {
        if (!options.emitCurrentOnSubscribe() || !upToDateAtOpen) {
            return null; // already outdated: the change itself arrives at once and initialises
        }
        int g = acknowledged;
        return new Generation(g, device.name(), now(), g, true);
    }

    /** The element for a change the loop reported. */
    Generation changed(int generation) {
        return new Generation(generation, device.name(), now(), acknowledged, false, new PendingAck(this, generation));
    }

    /**
     * {@code g} or, if the counter has moved since it was read, the newest generation: a change
     * that waited for demand is delivered with the newest value, so the subscriber does not
     * re-key for a generation that is already stale. One load from the mapped counter page.
     */
    Generation newest(Generation g) {
        if (g.isInitial()) {
            return g;
        }
        int now;
        try {
            now = device.currentGeneration();
        } catch (SysgenidException closing) {
            return g; // the device is closing: the loop's end follows as an error
        }
        return now == g.value() ? g : changed(now);
    }

    /**
     * Names the listener of the registration's calls: the subscription, once it is subscribed.
     * A change or an end that came before is handed on now, through {@link #delivery}. Nothing
     * happens if the session is closed already.
     *
     * @param onRejected told, on the rejected thread, if the delivery executor ever rejects a
     *        task: the subscription can then only be ended from elsewhere
     * @throws java.util.concurrent.RejectedExecutionException if a waiting call cannot be handed on
     */
    void attach(GenerationListener listener, Consumer<RejectedExecutionException> onRejected) {
        LoopRegistration reg;
        boolean change;
        int generation;
        SysgenidException end;
        synchronized (this) {
            if (closed) {
                return;
            }
            this.onRejected = onRejected;
            this.listener = listener;
            reg = registration;
            change = changeWaiting;
            generation = waitingGeneration;
            end = endWaiting;
            changeWaiting = false;
            endWaiting = null;
        }
        if (change) {
            delivery.execute(() -> listener.onGeneration(reg, generation));
        }
        if (end != null) {
            delivery.execute(() -> listener.onTerminated(end));
        }
    }

    /** The registration's call, on {@link #delivery}: to the listener, or kept until {@link #attach}. */
    @Override
    public void onGeneration(LoopRegistration reg, int generation) {
        metrics.changeSeen();
        GenerationListener l = listener;
        if (l == null) {
            synchronized (this) { // attach may be naming it now: it then hands this change on
                l = listener;
                if (l == null) {
                    changeWaiting = true;
                    waitingGeneration = generation;
                    return;
                }
            }
        }
        l.onGeneration(reg, generation);
    }

    @Override
    public void onTerminated(SysgenidException cause) {
        GenerationListener l = listener;
        if (l == null) {
            synchronized (this) {
                l = listener;
                if (l == null) {
                    endWaiting = cause;
                    return;
                }
            }
        }
        l.onTerminated(cause);
    }

    /**
     * Writes the acknowledgement. Returns null if the session has ended (nothing to acknowledge
     * any more). If {@code rekeyed} and accepted, turns tracking back on after a {@link
     * RekeyErrorPolicy#RELEASE}.
     */
    @Override
    public AckResult acknowledge(int generation, boolean rekeyed) {
        LoopRegistration reg = registration;
        if (closed || reg == null) {
            return null;
        }
        // A close from here on races the write as it did under the monitor: the registration's
        // acknowledge either throws (the catch below sees it closed) or writes first.
        AckResult result;
        try {
            result = reg.acknowledge(generation);
        } catch (SysgenidException e) {
            if (reg.isClosed()) {
                return null; // closed under us by a cancel
            }
            throw e;
        }
        if (result == AckResult.ACKNOWLEDGED) {
            acknowledged = generation;
            if (rekeyed && released) {
                trackAgain(reg);
            }
        }
        return result;
    }

    /**
     * After {@link RekeyErrorPolicy#RELEASE}: tracking back on, unless the subscription is
     * ending. Under the monitor that {@link #close()} takes to mark the session closed (before
     * it closes the registration), so tracking is never turned back on after that close began.
     */
    private synchronized void trackAgain(LoopRegistration reg) {
        if (closed || reg.isClosed() || !released) {
            return;
        }
        released = false;
        setTracking(reg, true);
    }

    /** {@link RekeyErrorPolicy#RELEASE}: stop tracking until the next acknowledged re-keying. */
    void release() {
        LoopRegistration reg;
        synchronized (this) {
            reg = registration;
            if (closed || reg == null || !options.tracked()) {
                return;
            }
        }
        released = true;
        setTracking(reg, false);
    }

    private static void setTracking(LoopRegistration reg, boolean on) {
        try {
            reg.setTracking(on);
        } catch (SysgenidException e) {
            if (!reg.isClosed()) {
                throw e;
            }
        }
    }

    /**
     * The one clean-up path: ends the loop registration (which stops tracking at once and closes
     * the watcher on the loop thread), if there is one yet; disposes its own worker, if it has
     * one, or leaves its lane. Idempotent, non-blocking, any thread.
     */
    void close() {
        LoopRegistration reg;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            reg = registration;
        }
        try {
            if (reg != null) {
                reg.close();
            }
        } finally {
            if (worker != null) {
                worker.dispose();
            } else {
                lane.leave(this);
            }
        }
    }

    private Instant now() {
        return Instant.ofEpochMilli(scheduler.now(TimeUnit.MILLISECONDS));
    }
}
