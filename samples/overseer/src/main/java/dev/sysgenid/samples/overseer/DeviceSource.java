/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import java.nio.file.Path;

import dev.sysgenid.DeviceStatus;
import dev.sysgenid.GenerationDevice;

/**
 * Where the overseer's commands get their device: the real one by path, or an in-process
 * simulated one for {@code --simulated}. Tests pass their own source to drive the commands
 * against a device they hold. A command closes the device it was given when it ends.
 */
public interface DeviceSource {

    /** What is at {@code path}, without keeping anything open. */
    DeviceStatus status(Path path);

    /**
     * Opens the real device at {@code path}.
     *
     * @throws dev.sysgenid.SysgenidException a typed error naming the cause and the remedy
     */
    GenerationDevice open(Path path);

    /** A simulated device (for demos and tests: nothing outside this process sees it). */
    GenerationDevice simulated();

    /** The source the command line uses: {@link GenerationDevice}'s own factories. */
    static DeviceSource system() {
        return new DeviceSource() {
            @Override
            public DeviceStatus status(Path path) {
                return GenerationDevice.status(path);
            }

            @Override
            public GenerationDevice open(Path path) {
                return GenerationDevice.open(path);
            }

            @Override
            public GenerationDevice simulated() {
                return GenerationDevice.simulated();
            }
        };
    }
}
