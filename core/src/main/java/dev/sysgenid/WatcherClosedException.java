/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/** An operation was attempted on a watcher (or overseer, probe, loop) that is already closed. */
public final class WatcherClosedException extends SysgenidException {
    public WatcherClosedException(String what) {
        super(what + " is closed: open a new one from the GenerationDevice.", 0);
    }
}
