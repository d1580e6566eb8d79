/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The tasks other threads hand to an {@link EpollLoop}'s thread, and the hand-off at the loop's
 * end: every task {@link #offer offered} either runs on the loop thread exactly once or is
 * refused (offer returns false, and the caller does what the task would have done), never both
 * and never neither.
 */
final class LoopInbox {

    /*
     * The end is a Dekker pair: offer() adds, then reads 'terminated'; terminate() writes
     * 'terminated', then drains. Both are sequentially consistent (a volatile and the queue's
     * CAS), so at least one side sees the other. An offer that sees 'terminated' takes its task
     * back if it is still queued (then the loop never runs it: refused); if the loop took it
     * first, it runs and the offer counts as accepted.
     */
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile boolean terminated;

    /** Any thread: queues {@code task}; false if the loop has ended and will never run it. */
    boolean offer(Runnable task) {
        tasks.add(task);
        return !(terminated && tasks.remove(task));
    }

    /**
     * Loop thread, once per turn: runs the tasks queued when it starts, not those they or others
     * queue meanwhile (each of those woke the loop: they run next turn), so that tasks that keep
     * queueing tasks (re-arms in a storm of acknowledgements) cannot keep the loop from its
     * events and its other tasks.
     */
    void runQueued() {
        for (int n = tasks.size(); n > 0; n--) {
            Runnable t = tasks.poll();
            if (t == null) {
                return;
            }
            t.run();
        }
    }

    /** Loop thread: runs what is queued, until nothing is. */
    void runAll() {
        Runnable t;
        while ((t = tasks.poll()) != null) {
            t.run();
        }
    }

    /** Loop thread, at its end: refuses later offers and runs what came before. */
    void terminate() {
        terminated = true;
        runAll();
    }
}
