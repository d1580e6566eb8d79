/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/** The device exists but this process may not open it read-write. */
public final class DevicePermissionException extends SysgenidException {

    /** The udev rule that gives the device node to the {@code sysgenid} group. */
    public static final String UDEV_RULE = "KERNEL==\"sysgenid\", GROUP=\"sysgenid\", MODE=\"0660\"";

    public DevicePermissionException(String path, int errno) {
        super("permission denied opening " + path + ": install the udev rule '" + UDEV_RULE
                + "' as /etc/udev/rules.d/60-sysgenid.rules, run 'sudo groupadd --system sysgenid;"
                + " sudo usermod -aG sysgenid $USER; sudo udevadm trigger', and start a new login"
                + " session.", errno);
    }
}
