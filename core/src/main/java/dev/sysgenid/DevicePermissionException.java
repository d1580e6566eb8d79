/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/**
 * The device exists but this process may not open it read-write. A watcher and an overseer need
 * write access: tracking and acknowledging are refused on a file opened read-only. Reading,
 * polling and mapping the counter need only read access (the shipped udev rule makes the node
 * world-readable); moving the counter needs {@code CAP_CHECKPOINT_RESTORE} in the initial user
 * namespace whatever the mode ({@link MissingCapabilityException}).
 */
public final class DevicePermissionException extends SysgenidException {

    /**
     * The udev rule that makes the node readable by anyone and writable by the {@code sysgenid}
     * group, and gives systemd a {@code dev-sysgenid.device} unit to order services after: the
     * rule the {@code sysgenid-dkms} package installs ({@code kernel-module/udev/60-sysgenid.rules}).
     */
    public static final String UDEV_RULE =
            "SUBSYSTEM==\"misc\", KERNEL==\"sysgenid\", GROUP=\"sysgenid\", MODE=\"0664\", TAG+=\"systemd\"";

    /**
     * Opening {@code path} read-write was refused.
     *
     * @param path the device path that was opened
     * @param errno the system error of the open ({@code EACCES} or {@code EPERM})
     */
    public DevicePermissionException(String path, int errno) {
        super("permission denied opening " + path + " for writing (watching, tracking and acknowledging"
                + " need write access; reading and mapping the counter need only read access): install the"
                + " sysgenid-dkms package, or the udev rule '" + UDEV_RULE + "' as"
                + " /etc/udev/rules.d/60-sysgenid.rules, run 'sudo groupadd"
                + " --system sysgenid; sudo usermod -aG sysgenid $USER; sudo udevadm trigger', and start a"
                + " new login session.", errno);
    }
}
