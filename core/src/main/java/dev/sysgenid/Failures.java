/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import dev.sysgenid.internal.Errno;

/** Turns errno values into the typed errors of this package, in one place. */
final class Failures {

    private Failures() {
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
