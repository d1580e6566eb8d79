/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.sysgenid.DriverProfile;
import dev.sysgenid.SimulatedDevice;

class RestoreDemoTest {

    @TempDir
    Path dir;

    @Test
    void withoutTheDeviceItSaysSoAndEveryServiceReKeysOnEveryRestore() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int status = new RestoreDemo(new PrintStream(buf, true, StandardCharsets.UTF_8)).run(dir.resolve("sysgenid"), 3);
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("SIMULATED generation device");
        assertThat(out).contains("restore 3: generation 2 -> 3; overseer: every tracked service re-keyed");
        assertThat(out).contains("payments key").contains("for generation 3");
        assertThat(out).doesNotContain("NOT re-keyed");
        assertThat(out).contains("demo passed: 3 restores, 0 failures");
        assertThat(status).isZero();
    }

    /** On either driver the demo runs the same; its first line names the driver. */
    @ParameterizedTest
    @EnumSource(value = DriverProfile.class, names = {"OURS", "PRODUCTION"})
    void onEitherDriverEveryServiceReKeysAndTheFirstLineNamesTheDriver(DriverProfile profile) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (SimulatedDevice device = SimulatedDevice.create(profile)) {
            int status = new RestoreDemo(new PrintStream(buf, true, StandardCharsets.UTF_8)).runOn(device, 3);
            assertThat(status).isZero();
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out.lines().findFirst().orElseThrow()).contains(profile.description());
        assertThat(out).contains("restore 3: generation 2 -> 3; overseer: every tracked service re-keyed")
                .doesNotContain("NOT re-keyed").contains("demo passed: 3 restores, 0 failures");
    }

    @ParameterizedTest
    @EnumSource(value = DriverProfile.class, names = {"OURS", "PRODUCTION"})
    void withoutTheCapabilityItStopsWithWhatTheDriverWants(DriverProfile profile) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (SimulatedDevice device = SimulatedDevice.create(profile)) {
            device.setTriggerCapability(false);
            assertThat(new RestoreDemo(new PrintStream(buf, true, StandardCharsets.UTF_8)).runOn(device, 1)).isEqualTo(2);
        }
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("CAP_CHECKPOINT_RESTORE")
                .contains(profile == DriverProfile.OURS ? "initial user namespace" : "caller's user namespace");
    }
}
