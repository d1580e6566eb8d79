/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.util.Objects;
import java.util.Optional;

/**
 * Which driver serves a device, as {@link GenerationDevice#driver()} detected it. This
 * project's module exports sysfs attributes ({@code /sys/class/misc/sysgenid/generation} and
 * the watcher counts) in the device's directory, which the library finds by the opened
 * file's device number ({@code /sys/dev/char/MAJOR:MINOR}), so a node of another name or a
 * symlink is identified all the same; a device whose sysfs directory is there without them is the {@link
 * DriverProfile#PRODUCTION production driver}; where sysfs does not show the device at all
 * (not mounted, or hidden) the driver is {@link DriverProfile#UNKNOWN}, and the library allows
 * for the production driver's behaviour (counts unavailable, registrations added while
 * outdated re-armed) without claiming it is that driver. The module version ({@code
 * /sys/module/sysgenid/version}) is reported where readable; both drivers declare one.
 *
 * @param profile the driver's behaviour
 * @param version the module's version, where the driver exports one
 * @param simulated whether the device is the in-JVM simulation of that driver
 */
public record DriverInfo(DriverProfile profile, Optional<String> version, boolean simulated) {

    /**
     * Checks the components.
     *
     * @param profile the driver's behaviour
     * @param version the module's version, where the driver exports one
     * @param simulated whether the device is the in-JVM simulation of that driver
     * @throws NullPointerException if {@code profile} or {@code version} is null
     */
    public DriverInfo {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(version, "version");
    }

    /** {@return one line for status output: "this project's sysgenid module 0.1.0", say} */
    public String description() {
        return (simulated ? "simulated: " : "") + profile.description() + version.map(v -> " " + v).orElse("");
    }
}
