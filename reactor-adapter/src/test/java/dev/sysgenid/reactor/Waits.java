/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import java.util.OptionalInt;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.WaitResult;

/** The wait results tests expect, as the device's driver reports them (counts or none). */
final class Waits {

    private Waits() {
    }

    static WaitResult allAcknowledged() {
        return new WaitResult(WaitResult.Outcome.ALL_ACKNOWLEDGED, OptionalInt.of(0));
    }

    /** A timeout with {@code outdated} tracked watchers left: no number where the driver reports none. */
    static WaitResult timedOut(GenerationDevice device, int outdated) {
        return new WaitResult(WaitResult.Outcome.TIMED_OUT,
                device.counts().isPresent() ? OptionalInt.of(outdated) : OptionalInt.empty());
    }
}
