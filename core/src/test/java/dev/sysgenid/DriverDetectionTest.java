/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sysgenid.internal.LibC;

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

    /** Linux's makedev(3), for the device numbers sysfs names its dev/char links by. */
    private static long makedev(long major, long minor) {
        return ((major & 0xFFF) << 8) | ((major & ~0xFFFL) << 32) | (minor & 0xFF) | ((minor & ~0xFFL) << 12);
    }

    /**
     * Our device opened through a node of another name (or a symlink) is found by the opened
     * file's device number, under /sys/dev/char, where the kernel links every char device's
     * directory: the node's file name decides nothing.
     */
    @Test
    void ourDriverBehindANodeOfAnotherNameIsFoundByItsDeviceNumber() throws IOException {
        Path byNumber = Files.createDirectories(sys.resolve("dev/char/10:125"));
        Files.writeString(byNumber.resolve("generation"), "7\n");
        Path dir = NativeGenerationDevice.sysfsDirectory(sys, Path.of("/run/my-generation-node"), OptionalLong.of(makedev(10, 125)));
        assertThat(dir).isEqualTo(byNumber);
        assertThat(NativeGenerationDevice.detect(dir, sys.resolve("module/sysgenid/version")).profile()).isEqualTo(DriverProfile.OURS);
    }

    /** Majors and minors beyond 8 bits are split across dev_t as glibc's makedev does. */
    @Test
    void largeDeviceNumbersNameTheirDirectory() {
        assertThat(NativeGenerationDevice.sysfsDirectory(sys, Path.of("/dev/sysgenid"), OptionalLong.of(makedev(4097, 300_001))))
                .isEqualTo(sys.resolve("dev/char/4097:300001"));
    }

    /** Without a device number (no "unix" attribute view, no /proc), the node's file name under the misc class. */
    @Test
    void withoutADeviceNumberTheNodesNameIsLookedUpUnderTheMiscClass() {
        assertThat(NativeGenerationDevice.sysfsDirectory(sys, Path.of("/dev/sysgenid"), OptionalLong.empty()))
                .isEqualTo(sys.resolve("class/misc/sysgenid"));
    }

    /** The device number is the open file's: /dev/null (1:3) opened through a symlink of another name. */
    @Test
    void theDeviceNumberIsTheOpenedFilesThroughASymlink() throws IOException {
        Path link = Files.createSymbolicLink(sys.resolve("not-null"), Path.of("/dev/null"));
        int fd = LibC.open(link.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        assertThat(fd).as("open /dev/null through %s", link).isGreaterThanOrEqualTo(0);
        try {
            OptionalLong rdev = NativeGenerationDevice.rdevOf(fd);
            assertThat(rdev).as("st_rdev of the open file").isPresent();
            assertThat(NativeGenerationDevice.sysfsDirectory(Path.of("/sys"), link, rdev)).isEqualTo(Path.of("/sys/dev/char/1:3"));
        } finally {
            LibC.close(fd);
        }
    }
}
