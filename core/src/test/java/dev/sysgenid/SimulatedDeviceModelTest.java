/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/** The model-based tests against the simulated device (runs in {@code mvn verify}). */
class SimulatedDeviceModelTest extends DeviceModelProperties {

    @Override
    protected GenerationDevice openDevice() {
        return SimulatedDevice.create();
    }

    @Override
    protected int defaultTries() {
        return 500;
    }

    @Override
    protected int defaultSteps() {
        return 40;
    }
}
