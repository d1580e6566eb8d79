/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import dev.sysgenid.DriverProfile;

/** Every command of {@link OverseerCommandTest} on a simulated production driver (no counts). */
class OverseerCommandOnProductionDriverTest extends OverseerCommandTest {

    @Override
    DriverProfile profile() {
        return DriverProfile.PRODUCTION;
    }
}
