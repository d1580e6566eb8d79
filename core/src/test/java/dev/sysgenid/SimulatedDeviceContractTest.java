/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/** The contract against the simulated device that behaves as our module (runs everywhere). */
class SimulatedDeviceContractTest extends DeviceContract {

    /** The driver the simulated device behaves as. */
    protected DriverProfile profile() {
        return DriverProfile.OURS;
    }

    @Override
    protected GenerationDevice openDevice() {
        return SimulatedDevice.create(profile());
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

    @Override
    protected void asUserNamespaceRoot(Runnable body) {
        SimulatedDevice sim = (SimulatedDevice) device;
        sim.setTriggerCapability(false);
        sim.setNamespaceRoot(true);
        try {
            body.run();
        } finally {
            sim.setNamespaceRoot(false);
            sim.setTriggerCapability(true);
        }
    }

    @Override
    protected WatcherCounts driverCounts() {
        return ((SimulatedDevice) device).kernelCounts();
    }
}
