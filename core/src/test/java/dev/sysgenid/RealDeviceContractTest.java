/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Tag;

/**
 * The contract against the real module. Tagged {@code real-device}: excluded from {@code mvn
 * verify}, run in the QEMU guest by {@code kernel-module/vm/run e2e} as root.
 */
@Tag("real-device")
class RealDeviceContractTest extends DeviceContract {

    @Override
    protected GenerationDevice openDevice() {
        return GenerationDevice.open(Path.of(System.getProperty("sysgenid.device", "/dev/sysgenid")));
    }

    @Override
    protected void withoutTriggerCapability(Runnable body) {
        // Capabilities are per process: the guest harness checks this case from a process that
        // runs as an unprivileged user (kernel-module/vm/run e2e). Here, root holds them.
        assumeTrue(!"root".equals(System.getProperty("user.name")),
                "runs as root: the unprivileged case is covered by the e2e harness");
        body.run();
    }
}
