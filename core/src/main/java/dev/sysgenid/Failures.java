/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import dev.sysgenid.internal.Errno;
import dev.sysgenid.internal.ErrnoException;
import dev.sysgenid.internal.EventFd;
import dev.sysgenid.internal.NativeDeviceFile;

/** Turns errno values into the typed errors of this package, in one place. */
final class Failures {

    private Failures() {
    }

    /**
     * Loads the classes a failure is made of, and those the first opens use after their first
     * descriptor is taken (see {@link Preload}): each device entry point calls it before its
     * first system call. Never throws: if the descriptors are gone already, a failure loads
     * what it needs on first use, as it would without this, and nothing stays broken.
     */
    static void load() {
        try {
            Preload.done();
        } catch (LinkageError e) {
            // out of descriptors already: classes load on first use
        }
    }

    /*
     * A class is loaded on its first use, and loading one from a directory of class files (an
     * exploded class path: an IDE's run, a reactor build's target/classes) opens a file. On a
     * failure that is itself "out of file descriptors" the typed error would so become a
     * NoClassDefFoundError (or a class first used after an open would leak that open's fd).
     * A holder of its own, so that its failed initialisation (when load() itself runs out)
     * is remembered for it alone, never for Failures.
     */
    private static final class Preload {
        static {
            Class<?>[] classLiteralsLoadTheirClasses = {ErrnoException.class, FileLimitException.class,
                    DeviceIoException.class, DeviceAbsentException.class, DevicePermissionException.class,
                    NotADeviceException.class, DeviceClosedException.class, WatcherClosedException.class,
                    LoopEndedException.class, MissingCapabilityException.class, Watcher.class, GenerationProbe.class,
                    DriverInfo.class, EventFd.class, NativeDeviceFile.class};
            Errno.describe(0); // and Errno's table of names
        }

        static void done() {
            // the class's initialisation does it
        }
    }

    static SysgenidException ofOpen(String path, int errno) {
        return switch (errno) {
            case Errno.ENOENT, Errno.ENODEV, Errno.ENXIO, Errno.ENOTDIR -> new DeviceAbsentException(path, errno);
            case Errno.EACCES, Errno.EPERM -> new DevicePermissionException(path, errno);
            case Errno.EMFILE, Errno.ENFILE -> new FileLimitException("open(" + path + ")", errno);
            case Errno.EISDIR -> new NotADeviceException(path, errno);
            default -> new DeviceIoException("open(" + path + ")", errno);
        };
    }

    static SysgenidException of(String call, int errno) {
        return switch (errno) {
            case Errno.EMFILE, Errno.ENFILE -> new FileLimitException(call, errno);
            default -> new DeviceIoException(call, errno);
        };
    }
}
