/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether a wake-up of an {@link EpollLoop} is written and not yet seen by the loop, so that a
 * burst of tasks writes the loop's eventfd once. Producers {@link #raise} it after queueing
 * their task into the {@link LoopInbox}; the loop {@link #lower}s it when it sees the eventfd's
 * event, before it reads the inbox.
 */
final class WakeFlag {

    /*
     * Why no task is left behind: a producer whose raise fails queued its task before that
     * failed raise, which read the flag set, so it came before the loop's lower (the flag's only
     * writes are these CASes and that set, all sequentially consistent), which comes before the
     * loop reads the inbox: the loop runs the task in that turn. A producer whose raise
     * succeeds writes the eventfd: a turn follows. At worst a turn with nothing to do.
     */
    private final AtomicBoolean raised = new AtomicBoolean();

    /** Any thread, after queueing a task: true if the caller must write the eventfd. */
    boolean raise() {
        return !raised.get() && raised.compareAndSet(false, true);
    }

    /** Loop thread, on the eventfd's event and before reading the inbox. */
    void lower() {
        raised.set(false);
    }
}
