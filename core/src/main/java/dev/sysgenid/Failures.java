/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.util.List;

import dev.sysgenid.internal.Errno;
import dev.sysgenid.internal.ErrnoException;

/** Turns errno values into the typed errors of this package, in one place. */
final class Failures {

    /*
     * The classes a failure is made of, loaded with this class (see load()). A class is loaded on
     * its first use, and loading one from a directory of class files (an exploded class path:
     * an IDE's run, a reactor build's target/classes) opens a file: on the first failure that
     * is itself "out of file descriptors", the typed error would become a NoClassDefFoundError.
     */
    private static final List<Class<?>> FAILURE_CLASSES = List.of(ErrnoException.class, FileLimitException.class,
            DeviceIoException.class, DeviceAbsentException.class, DevicePermissionException.class,
            NotADeviceException.class, DeviceClosedException.class, WatcherClosedException.class,
            LoopEndedException.class, MissingCapabilityException.class);

    static {
        Errno.describe(0); // its table of names
    }

    private Failures() {
    }

    /**
     * Loads the classes of this package's failures, once: a device calls it when it is made, so
     * that none has to be loaded by the failure itself (see {@link #FAILURE_CLASSES}).
     */
    static void load() {
        // the class's initialisation does it
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
