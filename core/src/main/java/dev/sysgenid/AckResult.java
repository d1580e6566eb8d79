/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/** What an acknowledgement (the 4-byte write) achieved. */
public enum AckResult {
    /** The generation was the current one: this watcher is up to date. */
    ACKNOWLEDGED,
    /**
     * The counter moved again before the write: the watcher is still outdated. Expected, not an
     * error: read the newest generation, re-key for it and acknowledge that one.
     */
    STALE
}
