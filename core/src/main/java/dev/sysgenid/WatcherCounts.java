/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/**
 * A snapshot of the device's state as the driver reports it to operators.
 *
 * @param generation the counter (unsigned 32-bit; compare with {@code ==} only)
 * @param trackedWatchers open files with tracking on
 * @param outdatedWatchers tracked files that have not acknowledged the current generation
 */
public record WatcherCounts(int generation, int trackedWatchers, int outdatedWatchers) {

    /** {@return the generation as an unsigned decimal string} */
    public String generationText() {
        return Integer.toUnsignedString(generation);
    }
}
