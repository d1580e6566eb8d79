/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/** An operation was attempted on a watcher (or overseer, probe, loop) that is already closed. */
public final class WatcherClosedException extends SysgenidException {
    /**
     * {@code what} is closed; the message tells to open a new one.
     *
     * @param what the closed object, as the message should name it
     */
    public WatcherClosedException(String what) {
        this(what, "open a new one from the GenerationDevice.");
    }

    /** {@code what} is closed; {@code remedy} says what to do instead. */
    WatcherClosedException(String what, String remedy) {
        super(what + " is closed: " + remedy, 0);
    }
}
