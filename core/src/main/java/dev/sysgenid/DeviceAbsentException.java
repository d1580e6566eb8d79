/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/** The device node does not exist: the sysgenid module is not loaded (or the path is wrong). */
public final class DeviceAbsentException extends SysgenidException {
    /**
     * The node at {@code path} does not exist.
     *
     * @param path the device path that was opened
     * @param errno the system error of the open ({@code ENOENT}, {@code ENODEV}, {@code ENXIO} or {@code ENOTDIR})
     */
    public DeviceAbsentException(String path, int errno) {
        super(path + " does not exist: the sysgenid kernel module is not loaded. Load it with"
                + " 'sudo modprobe sysgenid' (install it with DKMS: see kernel-module/README.md),"
                + " or use the simulated device (GenerationDevice.simulated()) for tests.", errno);
    }
}
