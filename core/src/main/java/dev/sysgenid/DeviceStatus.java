/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/** What a look at a device path found, before anything is opened for use. */
public enum DeviceStatus {
    /** The device is there and this process can open it. */
    PRESENT,
    /** No such node: the sysgenid module is not loaded. */
    ABSENT,
    /** The node exists but this process may not open it read-write (see the udev rule). */
    PERMISSION_DENIED,
    /** The path opens, but it is not a sysgenid device. */
    NOT_A_DEVICE
}
