/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

import dev.sysgenid.internal.DeviceFile;
import dev.sysgenid.internal.Errno;
import dev.sysgenid.internal.ErrnoException;
import dev.sysgenid.internal.LibC;
import dev.sysgenid.internal.NativeBackend;
import dev.sysgenid.internal.SmallFile;

/** The real device node, opened through libc. */
final class NativeGenerationDevice extends BackedDevice {

    /** Where sysfs is mounted: the device's directory and the module's version are under it. */
    private static final Path SYS = Path.of("/sys");
    private static final Path MODULE_VERSION = SYS.resolve("module/sysgenid/version");

    private final Path sysfs;
    private final DriverInfo driver;

    private NativeGenerationDevice(Path path, NativeBackend backend, Path sysfs) {
        super(backend, path.toString());
        this.sysfs = sysfs;
        this.driver = detect(sysfs, MODULE_VERSION);
    }

    /**
     * The device's sysfs directory (where ours exports {@code generation} and the counts),
     * found by the opened file's device number: {@code <sys>/dev/char/MAJOR:MINOR}, the
     * kernel's link to the device's directory, whatever the node is called or however it was
     * reached (a symlink, a node of another name). Only where the device number cannot be
     * had, by the node's file name under {@code <sys>/class/misc}.
     *
     * @param sys where sysfs is mounted
     * @param path the device node as given
     * @param rdev the opened file's device number ({@code st_rdev}), if known
     */
    static Path sysfsDirectory(Path sys, Path path, OptionalLong rdev) {
        if (rdev.isPresent()) {
            long d = rdev.getAsLong();
            long major = ((d >>> 8) & 0xFFF) | ((d >>> 32) & 0xFFFF_F000L); // glibc's major(3)
            long minor = (d & 0xFF) | ((d >>> 12) & 0xFFFF_FF00L); // and minor(3)
            return sys.resolve("dev/char/" + major + ":" + minor);
        }
        return sys.resolve("class/misc").resolve(path.getFileName().toString());
    }

    /**
     * The device number of the file open as {@code fd}: fstat's {@code st_rdev}, read as the
     * JDK's "unix" view of {@code /proc/self/fd/<fd>} (which stats the open file itself);
     * empty where that view or /proc is not available.
     */
    static OptionalLong rdevOf(int fd) {
        try {
            Object rdev = Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:rdev");
            return rdev instanceof Long l ? OptionalLong.of(l) : OptionalLong.empty();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return OptionalLong.empty();
        }
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
     * @param sysfs the device's directory (see {@link #sysfsDirectory})
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
            return Optional.of(SmallFile.read(p.toString()).trim());
        } catch (ErrnoException e) {
            return Optional.empty();
        }
    }

    /** Opens and checks once, with typed errors; later opens trust the check. */
    static GenerationDevice open(Path path) {
        Failures.load();
        NativeBackend backend = new NativeBackend(path.toString());
        DeviceFile probe;
        try {
            probe = backend.open();
        } catch (ErrnoException e) {
            throw Failures.ofOpen(path.toString(), e.errno());
        }
        Path sysfs;
        try {
            sysfs = sysfsDirectory(SYS, path, rdevOf(probe.pollFd()));
        } finally {
            probe.close();
        }
        NativeGenerationDevice device = new NativeGenerationDevice(path, backend, sysfs);
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
        Failures.load();
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
            return SmallFile.read(p.toString()).trim();
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                throw new SysgenidException(p + " does not exist: the loaded sysgenid driver does not"
                        + " export its counts; load this project's module (kernel-module/).", e.errno(), e);
            }
            throw Failures.of("reading " + p, e.errno());
        }
    }
}
