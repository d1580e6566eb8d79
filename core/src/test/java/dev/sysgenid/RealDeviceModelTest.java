/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.nio.file.Path;

import net.jqwik.api.Tag;

/**
 * The model-based tests against the real module, with the generator of the simulated run and
 * a fixed budget. Tagged {@code real-device}: excluded from {@code mvn verify}, run in the QEMU
 * guest's boot 1 by {@code kernel-module/vm/run e2e boot1} as root (TRIGGER needs the capability).
 */
@Tag("real-device")
class RealDeviceModelTest extends DeviceModelProperties {

    @Override
    protected GenerationDevice openDevice() {
        return GenerationDevice.open(Path.of(System.getProperty("sysgenid.device", "/dev/sysgenid")));
    }

    @Override
    protected int defaultTries() {
        return 40;
    }

    @Override
    protected int defaultSteps() {
        return 30;
    }
}
