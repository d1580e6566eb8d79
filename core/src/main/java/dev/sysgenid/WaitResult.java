/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.util.OptionalInt;

/**
 * The outcome of an overseer's wait for tracked watchers.
 *
 * @param outcome what ended the wait
 * @param outdatedWatchers how many tracked watchers were still outdated when the wait ended
 *        (0 when all acknowledged; empty where the driver does not report its counts)
 */
public record WaitResult(Outcome outcome, OptionalInt outdatedWatchers) {

    /**
     * Checks the components.
     *
     * @param outcome what ended the wait
     * @param outdatedWatchers how many tracked watchers were still outdated when the wait ended
     * @throws NullPointerException if {@code outcome} or {@code outdatedWatchers} is null
     */
    public WaitResult {
        java.util.Objects.requireNonNull(outcome, "outcome");
        java.util.Objects.requireNonNull(outdatedWatchers, "outdatedWatchers");
    }

    /** What ended a wait. */
    public enum Outcome {
        /** No tracked watcher is outdated: every one has acknowledged the current generation. */
        ALL_ACKNOWLEDGED,
        /** The timeout expired first; {@link #outdatedWatchers()} says how many were left. */
        TIMED_OUT,
        /**
         * The caller's own file is outdated (the counter moved again): handle the new generation,
         * acknowledge it, and wait again.
         */
        CALLER_OUTDATED
    }

    /** {@return true when every tracked watcher is up to date} */
    public boolean allAcknowledged() {
        return outcome == Outcome.ALL_ACKNOWLEDGED;
    }
}
