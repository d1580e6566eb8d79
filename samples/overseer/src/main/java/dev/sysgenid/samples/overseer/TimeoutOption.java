/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import java.time.Duration;

import picocli.CommandLine.Option;

/** {@code --timeout DURATION}, shared by the commands that wait for tracked watchers. */
final class TimeoutOption {

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "30s",
            description = "How long to wait at most: 250ms, 30s, 5m, PT30S; 0 waits without limit (default: ${DEFAULT-VALUE}).")
    Duration timeout;
}
