/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;

import dev.sysgenid.internal.EpollEvent;
import dev.sysgenid.internal.Errno;
import dev.sysgenid.internal.ErrnoException;
import dev.sysgenid.internal.EventFd;
import dev.sysgenid.internal.LibC;
import dev.sysgenid.internal.NativeBuffer;
import dev.sysgenid.internal.Syscalls;
import dev.sysgenid.internal.turn.TurnExecutor;

/**
 * One daemon thread that multiplexes any number of watchers with epoll and hands each change
 * to the registration's executor. The data path: the device fd becomes readable, epoll_wait
 * returns, the loop takes the new generation from the device's mapped counter (no read(2),
 * also for a watcher's first change: it knows the generation it was opened at; read(2) only
 * where the page cannot tell, see {@code Watcher.outdatedGeneration}) and dispatches it; the listener
 * re-keys and acknowledges through {@link LoopRegistration#acknowledge(int)}: one system
 * call per watcher and change, the write.
 *
 * <p>Guarantees:
 * <ul>
 * <li>What runs on the loop thread: each registration's {@link Executor#execute} (for the
 *     adapter's delivery lanes: their hand-off and their start after the turn),
 *     and with them whatever those run inline. With a pool the listener runs on the pool; with
 *     a direct executor ({@code Runnable::run}) the listener itself runs on the loop thread and
 *     must not block, since every registration of the loop waits for it.</li>
 * <li>A listener or executor that throws (any {@link RuntimeException} or {@link Error}, on the
 *     loop thread) ends its own registration only: its {@link GenerationListener#onTerminated}
 *     gets a {@link SysgenidException} whose cause is what was thrown; the loop goes on serving
 *     the others.</li>
 * <li>If the loop itself fails (an epoll_wait error it cannot recover from), every registration
 *     ends with that error as its cause, and {@link GenerationDevice#loop()} starts a new loop
 *     for later registrations.</li>
 * <li>Zero CPU while nothing changes: the thread sleeps in epoll_wait with no timeout.</li>
 * <li>A device fd stays readable until acknowledged, so fds are armed edge-triggered and each
 *     registration lets one listener call through at a time: the next only after the
 *     acknowledgement, and then with the newest generation if it moved meanwhile (events that
 *     arrive during a call are remembered, not queued). An acknowledgement costs its write
 *     alone: nothing is re-armed, except once for a registration whose watcher may have been
 *     outdated when the loop added it, on a driver other than ours (the production driver
 *     never wakes such an epoll registration again; see {@code docs/sysgenid-abi.md}): the
 *     first acknowledgement written afterwards, by a listener call or outside one, through
 *     the registration or its watcher, asks for it.</li>
 * <li>Only the loop thread touches the epoll set and the registration map; other threads
 *     enqueue a task and wake the loop through an eventfd, written once per burst and never
 *     read (armed edge-triggered: each write is one wake-up).</li>
 * <li>Nothing is allocated per event: the native event array is reused,
 *     and each registration hands its listener call over as one preallocated task.</li>
 * <li>An executor of the adapter's delivery lanes is given all of a turn's listener calls
 *     before it is asked to start them (one start per turn).</li>
 * <li>{@link #close()} closes every watcher still registered (their listeners get {@link
 *     GenerationListener#onTerminated}), then the epoll fd and the eventfd.</li>
 * </ul>
 */
public final class EpollLoop implements AutoCloseable {

    private static final int MAX_EVENTS_LIMIT = 4096;
    private static final long WAKE_ID = 0;

    /*
     * The lifecycle, one word ('state'), moving forward only:
     *
     *   RUNNING  --close(), any thread; or the loop fails, loop thread-->  CLOSING
     *   CLOSING  --the loop thread leaves its last turn and begins the shutdown-->  DRAINING
     *   DRAINING --every registration ended, loop thread, under wakeLock-->  CLOSED
     *
     * RUNNING: registrations are taken, turns run. CLOSING: register refuses (hasEnded), the
     * loop finishes the turn it is in. DRAINING: the loop runs what is queued and ends every
     * registration; re-arms and rechecks do nothing any more (else an acknowledgement landing
     * in every ADD window would queue the next re-arm for ever), the epoll set is still open
     * so removals still DEL. CLOSED: the epoll fd and the eventfd are closed (wake() writes
     * nothing, which is why that step is taken under wakeLock); a task that still runs only
     * releases what it holds, and an add ends its registration at once.
     */
    private static final int RUNNING = 0;
    private static final int CLOSING = 1;
    private static final int DRAINING = 2;
    private static final int CLOSED = 3;
    private static final AtomicIntegerFieldUpdater<EpollLoop> STATE =
            AtomicIntegerFieldUpdater.newUpdater(EpollLoop.class, "state");
    /** Written by CAS (RUNNING to CLOSING, any thread) and by the loop thread (the later steps). */
    private volatile int state = RUNNING;

    private final int epfd;
    private final EventFd wakeFd;
    private final Thread thread;
    private final LoopInbox inbox = new LoopInbox();
    /** One eventfd write per burst of tasks (the protocol is {@link WakeFlag}'s). */
    private final WakeFlag wakePending = new WakeFlag();
    /** Keeps a wake-up's write off the eventfd once closed: taken by wake() and by the step to CLOSED. */
    private final Object wakeLock = new Object();
    /** Registration sequence numbers: the high half of an id, so a reused fd never matches. */
    private final AtomicLong sequence = new AtomicLong();
    /** Loop thread only: what this turn handed to {@link TurnExecutor}s. */
    private final Turn turn = new Turn();
    /** Loop thread only. */
    private final RegistrationTable registrations = new RegistrationTable();
    /** Loop thread only: one epoll_event for epoll_ctl. */
    private final NativeBuffer ctlEvent = EpollEvent.allocate(1);
    /** Loop thread only: where {@link Syscalls} leaves epoll_wait's errno. */
    private final Syscalls.CallState callState = new Syscalls.CallState();
    /** Loop thread only; grown when a wait fills it. */
    private NativeBuffer events;
    private int maxEvents = 64;

    /**
     * Starts a loop whose thread is named {@code sysgenid-epoll[name]}. Not public: a device
     * starts its own ({@link GenerationDevice#loop()}).
     *
     * @param name the thread name's suffix, to tell loops apart in a thread dump
     */
    EpollLoop(String name) {
        this(name, Thread::new);
    }

    /**
     * All or nothing: if any step fails (including the start of the thread), whatever the
     * earlier ones opened is closed before the error is thrown.
     */
    EpollLoop(String name, ThreadFactory threads) {
        int ep = LibC.epoll_create1(LibC.EPOLL_CLOEXEC);
        if (ep < 0) {
            int e = LibC.errno();
            ctlEvent.close();
            throw Failures.of("epoll_create1", e);
        }
        EventFd wake;
        try {
            wake = new EventFd();
        } catch (ErrnoException e) {
            LibC.close(ep);
            ctlEvent.close();
            throw Failures.of("eventfd", e.errno());
        }
        epfd = ep;
        wakeFd = wake;
        try {
            // edge-triggered and never read: see EventFd
            if (ctl(LibC.EPOLL_CTL_ADD, wakeFd.fd(), LibC.EPOLLIN | LibC.EPOLLET, WAKE_ID) < 0) {
                throw Failures.of("epoll_ctl(ADD eventfd)", LibC.errno());
            }
            allocateEvents();
            Thread t = threads.newThread(this::run);
            t.setName("sysgenid-epoll[" + name + "]");
            t.setDaemon(true);
            thread = t;
            t.start();
        } catch (RuntimeException | Error e) {
            wakeFd.close();
            LibC.close(epfd);
            if (events != null) {
                events.close();
            }
            ctlEvent.close();
            throw e;
        }
    }

    /**
     * Registers a watcher; the loop takes ownership of it (see {@link LoopRegistration}).
     * If the watcher is already outdated, the listener is called at once.
     *
     * @param watcher the watcher, owned by the loop from now on
     * @param executor where {@code listener} runs. Its {@code execute} is called on the loop
     *                 thread and must not block; a direct executor runs the listener itself on
     *                 the loop thread (allowed for listeners that never block: every other
     *                 registration waits meanwhile)
     * @param listener what is called for each change, and when the registration ends
     * @return the registration, through which the listener acknowledges; close it (or the
     *         watcher: the same) to stop
     * @throws WatcherClosedException if the watcher or the loop is closed
     * @throws IllegalStateException if the watcher is registered already (a watcher serves
     *         one registration; open another one for another listener)
     */
    public LoopRegistration register(Watcher watcher, Executor executor, GenerationListener listener) {
        Objects.requireNonNull(watcher, "watcher");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(listener, "listener");
        if (!watcher.claimRegistration()) {
            throw new IllegalStateException(watcher + " is registered already: a watcher serves one "
                    + "registration, open another watcher for another listener");
        }
        watcher.acquire();
        long id = (sequence.incrementAndGet() << 32) | (watcher.file().pollFd() & 0xFFFF_FFFFL);
        LoopRegistration reg = new LoopRegistration(id, watcher, executor, listener, this);
        watcher.servedBy(reg);
        if (watcher.isClosed()) { // closed meanwhile; its close may have ended reg already (see Watcher.close)
            reg.releaseWatcher();
            throw watcher.closedError();
        }
        if (state != RUNNING || !submit(() -> add(reg))) {
            reg.releaseWatcher();
            throw new LoopEndedException(thread.getName());
        }
        return reg;
    }

    /** {@return whether the loop thread is running} */
    public boolean isAlive() {
        return thread.isAlive();
    }

    /** {@return whether the loop has ended or is ending (closed, or failed): it takes no registrations} */
    public boolean hasEnded() {
        return state != RUNNING;
    }

    /** {@return how many registrations the loop serves (read on any thread; exact only when quiet)} */
    public int size() {
        return sizeSnapshot;
    }

    private volatile int sizeSnapshot;

    /** How many times the loop took a registration's fd out of its epoll set and added it again. */
    long rearmCount() {
        return rearms;
    }

    /** Written by the loop thread only. */
    private volatile long rearms;

    /** Stops the loop and closes everything it owns; idempotent; waits for the thread to end. */
    @Override
    public void close() {
        if (STATE.compareAndSet(this, RUNNING, CLOSING)) {
            wake();
        }
        if (Thread.currentThread() != thread) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- called from registrations, any thread ---------------------------------------------

    /** Asks the loop to look at the registration's fd again (a missed event, a stale ack). */
    void recheck(LoopRegistration reg) {
        submit(reg.recheckTask);
    }

    /**
     * Asks the loop to take the registration's fd out of the epoll set and add it again: for a
     * registration added while its watcher was outdated (see {@link LoopRegistration#addedOutdated}).
     */
    void rearm(LoopRegistration reg) {
        submit(reg.rearmTask);
    }

    /**
     * Loop thread: {@link #rearm}'s task. DEL then ADD, not MOD: only an ADD makes the driver's
     * poll put the fd on its wait queue. The DEL must find the fd (the driver's file is the
     * same one the first ADD saw; the simulated production driver keeps it so too): if it
     * does not, the registration ends with that error rather than risk a second, silent
     * entry. If the watcher is outdated again by now, the ADD itself brings an edge, and the
     * next acknowledgement re-arms once more.
     */
    void rearmNow(LoopRegistration reg) {
        if (state >= DRAINING || registrations.get(reg.id) != reg) {
            return; // removed, failed or shutting down meanwhile: its fd is out of the set already
        }
        if (removeToRearm(reg)) {
            arm(reg);
        }
    }

    /** Loop thread: the DEL of a re-arm; false (and the registration ended) if it failed. */
    private boolean removeToRearm(LoopRegistration reg) {
        int r = ctl(reg, LibC.EPOLL_CTL_DEL, 0);
        if (r < 0) {
            fail(reg, Failures.of("epoll_ctl(EPOLL_CTL_DEL) before adding the fd again", -r));
            return false;
        }
        rearms++;
        return true;
    }

    /** Loop thread: {@link #recheck}'s task. */
    void recheckNow(LoopRegistration reg) {
        if (state < DRAINING && registrations.get(reg.id) == reg) {
            fire(reg.id);
        }
    }

    void deregister(LoopRegistration reg) {
        if (!submit(() -> remove(reg))) {
            reg.releaseWatcher();
        }
    }

    /**
     * Queues a task for the loop thread. False if the loop has ended and will never run it: then
     * the caller handles what the task would have done. Package-private for the tests of the
     * wake-up.
     */
    boolean submit(Runnable task) {
        if (!inbox.offer(task)) {
            return false;
        }
        wake();
        return true;
    }

    /** Wakes the loop once per burst (see {@link WakeFlag}). */
    private void wake() {
        if (wakePending.raise()) {
            synchronized (wakeLock) { // keeps the write off a closed fd
                if (state != CLOSED) {
                    wakeFd.signal(); // fails only with EBADF or EINVAL: neither can happen on our own open fd
                }
            }
        }
    }

    /** The eventfd's number, for the test that saturates its counter. */
    int wakeFdForTest() {
        return wakeFd.fd();
    }

    // ---- loop thread ------------------------------------------------------------------------

    private void run() {
        try {
            while (state == RUNNING) {
                waitAndDispatch();
            }
        } catch (Throwable e) { // also a checked exception thrown sneakily (Kotlin, Scala, Groovy listeners)
            STATE.compareAndSet(this, RUNNING, CLOSING); // or close() came first: CLOSING already
            System.getLogger("dev.sysgenid").log(System.Logger.Level.ERROR, "the epoll loop " + thread.getName()
                    + " failed and ended its registrations; the device's loop() starts a new one", e);
            shutdown(e instanceof SysgenidException s ? s : new SysgenidException("the epoll loop failed ("
                    + e + "); its registrations ended: register again, the device's loop() starts a new loop", 0, e));
            return; // shut down once: a second close of its fds could close files that reused their numbers
        }
        shutdown(new LoopEndedException(thread.getName()));
    }

    /**
     * One turn of the loop. A method of its own, not the body of {@link #run()}'s loop: the JIT
     * compiles a method after some hundred calls, but a loop body only after tens of thousands
     * of iterations, and a loop that turns once per change would stay interpreted for ever.
     */
    private void waitAndDispatch() {
        int n = Syscalls.epollWait(callState, epfd, events.address(), maxEvents, -1);
        if (n < 0) {
            int e = -n;
            if (e == Errno.EINTR) {
                return;
            }
            throw Failures.of("epoll_wait", e);
        }
        for (int i = 0; i < n; i++) {
            long id = EpollEvent.data(events, i);
            if (id == WAKE_ID) {
                wakePending.lower(); // before the inbox is read: see WakeFlag
            } else {
                fire(id);
            }
        }
        inbox.runQueued();
        flushTurn();
        if (n == maxEvents && maxEvents < MAX_EVENTS_LIMIT) {
            maxEvents *= 2;
            events.close();
            allocateEvents();
        }
        sizeSnapshot = registrations.size();
    }

    private void add(LoopRegistration reg) {
        if (reg.isClosed()) {
            reg.releaseWatcher(); // closed before it was added; its remove may follow
            return;
        }
        if (state == CLOSED) {
            fail(reg, new LoopEndedException(thread.getName()));
            return;
        }
        registrations.put(reg.id, reg);
        arm(reg);
    }

    /**
     * Loop thread: adds the registration's fd to the epoll set, edge-triggered: one event per
     * change, and one at once if already outdated. Where the driver's poll does not register an
     * outdated file (see {@link LoopRegistration#addedOutdated}), the mark that the ADD may have
     * found the watcher outdated is set BEFORE the ADD: any acknowledgement written successfully
     * from then on takes it and asks for a re-arm, so none that lands during or after the ADD is
     * missed, and arm itself never loops. After the ADD the loop takes the mark back only when
     * the ADD surely found the watcher up to date: it is up to date now, and no acknowledgement
     * was written (or in progress) from before the mark until that check, since only an
     * acknowledgement makes a file up to date. Otherwise the mark stays, and the next
     * successful acknowledgement re-arms once (at worst a spare DEL and ADD). A read(2) once per
     * ADD, off the data path.
     */
    private void arm(LoopRegistration reg) {
        Watcher w = reg.watcher;
        long acksBefore = w.ackWrites();
        if (reg.rearms) {
            reg.markAddedOutdated();
        }
        int r = ctl(reg, LibC.EPOLL_CTL_ADD, LibC.EPOLLIN | LibC.EPOLLET);
        if (r < 0) {
            fail(reg, Failures.of("epoll_ctl", -r));
            return;
        }
        if (reg.rearms && w.outdatedGeneration() == -Errno.EAGAIN
                && w.ackWrites() == acksBefore && (acksBefore & 0xFFFF_FFFFL) == 0) {
            reg.takeAddedOutdated(); // up to date at the ADD (if an ack took the mark first, one spare re-arm)
        }
    }

    private void remove(LoopRegistration reg) {
        if (registrations.remove(reg.id) == reg && state != CLOSED) {
            ctl(reg, LibC.EPOLL_CTL_DEL, 0);
        }
        reg.releaseWatcher();
    }

    private void fire(long id) {
        LoopRegistration reg = registrations.get(id);
        if (reg == null || !reg.beginDispatch()) {
            return;
        }
        long g = reg.watcher.outdatedGeneration();
        if (g == -Errno.EAGAIN) {
            reg.cancelDispatch(); // acknowledged meanwhile: the next change brings a new edge
            return;
        }
        if (g < 0) {
            fail(reg, Failures.of("read", (int) -g));
            return;
        }
        try {
            Runnable call = reg.prepareListenerCall((int) g);
            if (reg.executor instanceof TurnExecutor t) {
                if (t.executeLater(call)) {
                    turn.needsFlush(t);
                }
                turn.handedOver(reg);
            } else {
                reg.executor.execute(call);
            }
        } catch (Throwable e) { // a listener on a direct executor may throw a checked exception sneakily
            fail(reg, thrownOnLoop(e));
        }
    }

    /** {@return whether the caller runs on this loop's thread} */
    boolean onLoopThread() {
        return Thread.currentThread() == thread;
    }

    /**
     * A registration's listener threw on its executor's thread (not the loop's): the loop ends
     * that registration as it ends one whose listener throws on the loop thread. If the loop has
     * ended, its end has ended the registration too.
     */
    void listenerThrew(LoopRegistration reg, Throwable e) {
        SysgenidException cause = threw("listener", e, Thread.currentThread().getName());
        submit(() -> fail(reg, cause));
    }

    /** What a registration's executor or listener threw on the loop thread, as the registration's end. */
    private static SysgenidException thrownOnLoop(Throwable e) {
        if (e instanceof RejectedExecutionException) {
            return new SysgenidException("the registration's executor rejected a task (" + e.getMessage()
                    + "): register again with an executor that is running", 0, e);
        }
        return threw("executor or listener", e, "the epoll loop's thread");
    }

    /** What {@code who} threw on the thread {@code where}, as the end of its registration alone. */
    private static SysgenidException threw(String who, Throwable e, String where) {
        return new SysgenidException("the registration's " + who + " threw " + e + " on " + where
                + "; this registration ended, the others go on", 0, e);
    }

    /** After a turn: starts what the turn handed to {@link TurnExecutor}s. */
    private void flushTurn() {
        for (int i = 0; i < turn.flushCount; i++) {
            TurnExecutor t = turn.toFlush[i];
            turn.toFlush[i] = null;
            try {
                t.flush();
            } catch (Throwable e) {
                for (int k = 0; k < turn.handedCount; k++) {
                    LoopRegistration reg = turn.handed[k];
                    if (reg != null && reg.executor == t) {
                        fail(reg, thrownOnLoop(e));
                    }
                }
            }
        }
        turn.clear();
    }

    private void fail(LoopRegistration reg, SysgenidException cause) {
        if (registrations.remove(reg.id) == reg && state != CLOSED) {
            ctl(reg, LibC.EPOLL_CTL_DEL, 0);
        }
        reg.releaseWatcher();
        if (reg.terminate()) {
            // Told once: only if the executor refused the task before running it is it run here.
            // With a direct executor, what onTerminated throws comes out of execute as well.
            AtomicBoolean told = new AtomicBoolean();
            Runnable tell = () -> {
                if (told.compareAndSet(false, true)) {
                    reg.listener.onTerminated(cause);
                }
            };
            try {
                reg.executor.execute(tell);
            } catch (Throwable refusedOrThrown) {
                try {
                    tell.run(); // the executor takes nothing any more: tell the listener here
                } catch (Throwable ignored) {
                    // the listener threw: the registration has ended all the same
                }
            }
        }
    }

    /** Loop thread: CLOSING to DRAINING to CLOSED (see {@link #state}). */
    private void shutdown(SysgenidException cause) {
        state = DRAINING;
        inbox.runAll();
        for (LoopRegistration reg : registrations.all()) {
            try {
                fail(reg, cause);
            } catch (Throwable e) { // one registration's end must not keep the others or the fds open
                System.getLogger("dev.sysgenid").log(System.Logger.Level.ERROR,
                        "ending a registration of the epoll loop " + thread.getName() + " failed", e);
            }
        }
        registrations.clear();
        sizeSnapshot = 0;
        synchronized (wakeLock) {
            state = CLOSED;
            wakeFd.close();
        }
        LibC.close(epfd);
        events.close();
        ctlEvent.close();
        inbox.terminate(); // runs what came before the end was visible: it only releases what it holds
    }

    private void allocateEvents() {
        events = EpollEvent.allocate(maxEvents);
    }

    private int ctl(int op, int fd, int eventMask, long id) {
        EpollEvent.put(ctlEvent, 0, eventMask, id);
        return LibC.epoll_ctl(epfd, op, fd, ctlEvent.address());
    }

    /** epoll_ctl of a registration's fd, through its device file: 0 or a negative errno. */
    private int ctl(LoopRegistration reg, int op, int eventMask) {
        EpollEvent.put(ctlEvent, 0, eventMask, reg.id);
        return reg.watcher.file().epollCtl(epfd, op, ctlEvent.address());
    }

    /**
     * The loop thread's record of one turn: the {@link TurnExecutor}s to flush, and the
     * registrations handed to them (to end them if a flush is rejected). Arrays grown as
     * needed and reused, so a turn allocates nothing once they are large enough.
     */
    private static final class Turn {
        TurnExecutor[] toFlush = new TurnExecutor[8];
        int flushCount;
        LoopRegistration[] handed = new LoopRegistration[64];
        int handedCount;

        void needsFlush(TurnExecutor t) {
            if (flushCount == toFlush.length) {
                toFlush = Arrays.copyOf(toFlush, flushCount * 2);
            }
            toFlush[flushCount++] = t;
        }

        void handedOver(LoopRegistration reg) {
            if (handedCount == handed.length) {
                handed = Arrays.copyOf(handed, handedCount * 2);
            }
            handed[handedCount++] = reg;
        }

        void clear() {
            Arrays.fill(handed, 0, handedCount, null);
            handedCount = 0;
            flushCount = 0;
        }
    }

    /**
     * The loop thread's registrations, indexed by fd (an id's low half): a lookup is an array
     * read, with no boxing, and an id whose sequence half differs (a closed fd's number reused)
     * finds nothing.
     */
    private static final class RegistrationTable {
        private LoopRegistration[] byFd = new LoopRegistration[64];
        private int size;

        LoopRegistration get(long id) {
            int fd = (int) id;
            LoopRegistration r = fd >= 0 && fd < byFd.length ? byFd[fd] : null;
            return r != null && r.id == id ? r : null;
        }

        void put(long id, LoopRegistration reg) {
            int fd = (int) id;
            if (fd >= byFd.length) {
                byFd = Arrays.copyOf(byFd, Math.max(fd + 1, byFd.length * 2));
            }
            if (byFd[fd] == null) {
                size++;
            }
            byFd[fd] = reg;
        }

        LoopRegistration remove(long id) {
            LoopRegistration r = get(id);
            if (r != null) {
                byFd[(int) id] = null;
                size--;
            }
            return r;
        }

        int size() {
            return size;
        }

        List<LoopRegistration> all() {
            List<LoopRegistration> out = new ArrayList<>(size);
            for (LoopRegistration r : byFd) {
                if (r != null) {
                    out.add(r);
                }
            }
            return out;
        }

        void clear() {
            Arrays.fill(byFd, null);
            size = 0;
        }
    }
}
