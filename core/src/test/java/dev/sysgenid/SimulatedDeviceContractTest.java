/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/** The contract against the simulated device (runs everywhere). */
class SimulatedDeviceContractTest extends DeviceContract {

    @Override
    protected GenerationDevice openDevice() {
        return SimulatedDevice.create();
    }

    @Override
    protected void withoutTriggerCapability(Runnable body) {
        SimulatedDevice sim = (SimulatedDevice) device;
        sim.setTriggerCapability(false);
        try {
            body.run();
        } finally {
            sim.setTriggerCapability(true);
        }
    }
}
