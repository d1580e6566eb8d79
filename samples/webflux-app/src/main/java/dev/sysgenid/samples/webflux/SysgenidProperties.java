/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.webflux;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.sysgenid.DriverProfile;

/**
 * {@code sysgenid.*} settings.
 *
 * @param device the device node (default {@code /dev/sysgenid})
 * @param mode {@code auto} (the real device if {@code device} exists, else the simulated one),
 *        {@code real} (fail at startup without it) or {@code simulated} (always simulate)
 * @param rekeyTimeout how long one rotation may take before it counts as failed
 * @param restoreTimeout how long {@code POST /simulate/restore} waits for the tracked watchers
 * @param simulatedDriver which driver the simulated device behaves as: {@code ours} (this
 *        project's module) or {@code production} (Amazon Linux microVM kernels' driver: no
 *        counts, a signed counter)
 */
@ConfigurationProperties("sysgenid")
public record SysgenidProperties(
        @DefaultValue("/dev/sysgenid") Path device,
        @DefaultValue("auto") Mode mode,
        @DefaultValue("5s") Duration rekeyTimeout,
        @DefaultValue("10s") Duration restoreTimeout,
        @DefaultValue("ours") DriverProfile simulatedDriver) {

    /** Which device to use. */
    public enum Mode {
        /** The real device if the node exists, the simulated one if it does not. */
        AUTO,
        /** The real device; startup fails if it cannot be opened. */
        REAL,
        /** The in-JVM simulated device, even where the node exists (tests, demos). */
        SIMULATED
    }
}
