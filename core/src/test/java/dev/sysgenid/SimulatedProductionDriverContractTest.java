/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/** The contract against the simulated device that behaves as the production driver (runs everywhere). */
class SimulatedProductionDriverContractTest extends SimulatedDeviceContractTest {

    @Override
    protected DriverProfile profile() {
        return DriverProfile.PRODUCTION;
    }
}
