/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/**
 * An operation was attempted on something that is already closed: a watcher, an overseer, a
 * probe or a loop registration (this type itself), the device ({@link DeviceClosedException}),
 * or its epoll loop ({@link LoopEndedException}). Catch this type for all of them; the message
 * names which one and what to do.
 */
public sealed class WatcherClosedException extends SysgenidException permits DeviceClosedException, LoopEndedException {
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
