/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/**
 * The device itself was closed ({@link GenerationDevice#close()}): it opens, maps, watches and
 * (simulated) bumps nothing more. What it handed out before the close keeps working until
 * closed, except registrations with its loop, which the close ended.
 */
public final class DeviceClosedException extends WatcherClosedException {
    DeviceClosedException(String deviceName) {
        super("device " + deviceName, "open or create a new device (GenerationDevice.open,"
                + " GenerationDevice.simulated()); the watchers, overseers and probes opened before the close"
                + " keep working until you close them.");
    }
}
