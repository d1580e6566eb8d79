/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/** {@link EpollLoopTest} on a simulated device that behaves as the production driver. */
class EpollLoopOnProductionDriverTest extends EpollLoopTest {

    @Override
    protected DriverProfile profile() {
        return DriverProfile.PRODUCTION;
    }
}
