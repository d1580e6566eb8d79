/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/** The path opened, but it is not a sysgenid device (its ioctls are unknown there). */
public final class NotADeviceException extends SysgenidException {
    /**
     * The file at {@code path} does not answer the sysgenid ioctls.
     *
     * @param path the path that was opened
     * @param errno the system error that showed it ({@code EISDIR} from the open, or the error of the tracking ioctl)
     */
    public NotADeviceException(String path, int errno) {
        super(path + " is not a sysgenid device (the tracking ioctl failed with errno " + errno
                + "): point the library at /dev/sysgenid, created by the sysgenid kernel module.", errno);
    }
}
