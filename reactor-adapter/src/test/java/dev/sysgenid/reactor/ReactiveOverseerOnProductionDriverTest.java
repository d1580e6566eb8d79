/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import dev.sysgenid.DriverProfile;

/** {@link ReactiveOverseerTest} on a simulated device that behaves as the production driver. */
class ReactiveOverseerOnProductionDriverTest extends ReactiveOverseerTest {

    @Override
    DriverProfile profile() {
        return DriverProfile.PRODUCTION;
    }
}
