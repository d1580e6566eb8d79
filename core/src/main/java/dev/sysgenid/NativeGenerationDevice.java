/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

import dev.sysgenid.internal.DeviceFile;
import dev.sysgenid.internal.Errno;
import dev.sysgenid.internal.ErrnoException;
import dev.sysgenid.internal.Fds;
import dev.sysgenid.internal.LibC;
import dev.sysgenid.internal.NativeBackend;

/** The real device node, opened through libc. */
final class NativeGenerationDevice extends BackedDevice {

    /** Where this project's module exports the counts and its version. */
    private static final Path MISC_CLASS = Path.of("/sys/class/misc");
    private static final Path MODULE_VERSION = Path.of("/sys/module/sysgenid/version");

    private final Path sysfs;
    private final DriverInfo driver;

    private NativeGenerationDevice(Path path) {
        super(new NativeBackend(path.toString()), path.toString());
        this.sysfs = MISC_CLASS.resolve(path.getFileName().toString());
        this.driver = detect(sysfs, MODULE_VERSION);
    }

    /**
     * Ours exports {@code generation} (and the counts) under the misc class; the production
     * driver does not, though its device has a directory there too (every misc device has).
     * So: the attribute exists (readable or not) -> ours; the device's directory is there
     * without it -> the production driver; not even the directory is visible (sysfs not
     * mounted, or hidden) -> {@link DriverProfile#UNKNOWN}, never a guess. Both declare a
     * module version ({@code /sys/module/sysgenid/version}: the production driver's is "0.1"),
     * so the version is reported but decides nothing.
     *
     * @param sysfs the device's directory under the misc class ({@code /sys/class/misc/sysgenid})
     */
    static DriverInfo detect(Path sysfs, Path moduleVersion) {
        Optional<String> version = readIfPresent(moduleVersion);
        DriverProfile profile;
        if (Files.exists(sysfs.resolve("generation"), LinkOption.NOFOLLOW_LINKS)) {
            profile = DriverProfile.OURS;
        } else if (Files.isDirectory(sysfs)) {
            profile = DriverProfile.PRODUCTION;
        } else {
            profile = DriverProfile.UNKNOWN;
        }
        return new DriverInfo(profile, version, false);
    }

    private static Optional<String> readIfPresent(Path p) {
        try {
            return Optional.of(Fds.readSmallFile(p.toString()).trim());
        } catch (ErrnoException e) {
            return Optional.empty();
        }
    }

    /** Opens and checks once, with typed errors; later opens trust the check. */
    static GenerationDevice open(Path path) {
        NativeGenerationDevice device = new NativeGenerationDevice(path);
        try (Watcher first = device.openWatcher()) {
            int r = first.file().ioctl(LibC.SYSGENID_SET_WATCHER_TRACKING, 0);
            if (r < 0) {
                throw new NotADeviceException(path.toString(), -r);
            }
        }
        return device;
    }

    /** Opens once, checks the tracking ioctl answers, closes. */
    static DeviceStatus status(Path path) {
        DeviceFile f;
        try {
            f = new NativeBackend(path.toString()).open();
        } catch (ErrnoException e) {
            SysgenidException failure = Failures.ofOpen(path.toString(), e.errno());
            if (failure instanceof DeviceAbsentException) {
                return DeviceStatus.ABSENT;
            }
            if (failure instanceof DevicePermissionException) {
                return DeviceStatus.PERMISSION_DENIED;
            }
            if (failure instanceof NotADeviceException) {
                return DeviceStatus.NOT_A_DEVICE;
            }
            throw failure;
        }
        try {
            return f.ioctl(LibC.SYSGENID_SET_WATCHER_TRACKING, 0) == 0 ? DeviceStatus.PRESENT : DeviceStatus.NOT_A_DEVICE;
        } finally {
            f.close();
        }
    }

    @Override
    public boolean isSimulated() {
        return false;
    }

    @Override
    public DriverInfo driver() {
        return driver;
    }

    @Override
    public Optional<WatcherCounts> counts() {
        if (driver.profile() != DriverProfile.OURS) {
            return Optional.empty();
        }
        return Optional.of(new WatcherCounts(
                (int) Long.parseLong(sysfsValue("generation")),
                Integer.parseInt(sysfsValue("tracked_watchers")),
                Integer.parseInt(sysfsValue("outdated_watchers"))));
    }

    private String sysfsValue(String attribute) {
        Path p = sysfs.resolve(attribute);
        try {
            return Fds.readSmallFile(p.toString()).trim();
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                throw new SysgenidException(p + " does not exist: the loaded sysgenid driver does not"
                        + " export its counts; load this project's module (kernel-module/).", e.errno(), e);
            }
            throw Failures.of("reading " + p, e.errno());
        }
    }
}
