/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which driver is loaded, told by the sysfs files only ours exports. */
class DriverDetectionTest {

    @TempDir
    Path sys;

    @Test
    void theDevicesSysfsDirectoryWithoutOurAttributesIsTheProductionDriver() throws IOException {
        Path misc = Files.createDirectories(sys.resolve("class/misc/sysgenid"));
        Files.writeString(misc.resolve("dev"), "10:125\n"); // what every misc device has
        DriverInfo d = NativeGenerationDevice.detect(misc, sys.resolve("module/sysgenid/version"));
        assertThat(d).isEqualTo(new DriverInfo(DriverProfile.PRODUCTION, Optional.empty(), false));
        assertThat(d.description()).contains("production");
    }

    /** sysfs not mounted or hidden (some containers): no evidence either way, so no guess. */
    @Test
    void withoutAnyVisibleSysfsTheDriverIsUnknownNotProduction() {
        DriverInfo d = NativeGenerationDevice.detect(sys.resolve("class/misc/sysgenid"), sys.resolve("module/sysgenid/version"));
        assertThat(d.profile()).as(d.description()).isEqualTo(DriverProfile.UNKNOWN);
        assertThat(d.description()).contains("unidentified");
    }

    /**
     * Our attribute there but unreadable (a sysfs that denies it: made here with a directory
     * in its place, since root reads any mode) is still ours.
     */
    @Test
    void ourGenerationAttributeNamesOursEvenWhenItCannotBeRead() throws IOException {
        Path misc = Files.createDirectories(sys.resolve("class/misc/sysgenid"));
        Files.createDirectories(misc.resolve("generation"));
        DriverInfo d = NativeGenerationDevice.detect(misc, sys.resolve("module/sysgenid/version"));
        assertThat(d.profile()).as(d.description()).isEqualTo(DriverProfile.OURS);
    }

    @Test
    void ourGenerationAttributeNamesOursWithItsVersion() throws IOException {
        Path version = Files.createDirectories(sys.resolve("module/sysgenid")).resolve("version");
        Files.writeString(version, "0.1.0\n");
        Path misc = Files.createDirectories(sys.resolve("class/misc/sysgenid"));
        Files.writeString(misc.resolve("generation"), "7\n");
        DriverInfo d = NativeGenerationDevice.detect(misc, version);
        assertThat(d).isEqualTo(new DriverInfo(DriverProfile.OURS, Optional.of("0.1.0"), false));
        assertThat(d.description()).isEqualTo("this project's sysgenid module 0.1.0");
    }

    /** amazonlinux/linux drivers/misc/sysgenid.c declares MODULE_VERSION("0.1") too. */
    @Test
    void theProductionDriverHasAModuleVersionButNoGenerationAttribute() throws IOException {
        Path version = Files.createDirectories(sys.resolve("module/sysgenid")).resolve("version");
        Files.writeString(version, "0.1\n");
        Path misc = Files.createDirectories(sys.resolve("class/misc/sysgenid"));
        DriverInfo d = NativeGenerationDevice.detect(misc, version);
        assertThat(d.profile()).as(d.description()).isEqualTo(DriverProfile.PRODUCTION);
        assertThat(d.version()).contains("0.1");
    }

    @Test
    void theGenerationAttributeAloneNamesOurs() throws IOException {
        Path misc = Files.createDirectories(sys.resolve("class/misc/sysgenid"));
        Files.writeString(misc.resolve("generation"), "7\n");
        DriverInfo d = NativeGenerationDevice.detect(misc, sys.resolve("module/sysgenid/version"));
        assertThat(d.profile()).isEqualTo(DriverProfile.OURS);
        assertThat(d.version()).isEmpty();
    }
}
