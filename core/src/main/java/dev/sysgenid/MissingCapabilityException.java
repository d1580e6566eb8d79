/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/**
 * TRIGGER was refused: the caller lacks the capability where the driver in use looks for it.
 * This project's module wants it in the initial user namespace; the production driver (Amazon
 * Linux microVM kernels) accepts it in the caller's own user namespace. The message says which.
 */
public final class MissingCapabilityException extends SysgenidException {

    /**
     * A refused trigger.
     *
     * @param errno the system error of the trigger ioctl ({@code EPERM} or {@code EACCES})
     * @param driver the driver that refused; null or {@link DriverProfile#UNKNOWN} if unknown
     *        (the message then covers both)
     */
    public MissingCapabilityException(int errno, DriverProfile driver) {
        super(message(driver), errno);
    }

    private static String message(DriverProfile driver) {
        String grant = " run the overseer as root, or grant it with"
                + " 'AmbientCapabilities=CAP_CHECKPOINT_RESTORE' in its systemd unit.";
        if (driver == DriverProfile.OURS) {
            return "triggering a generation update needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN in the"
                    + " initial user namespace (this project's sysgenid module: a root inside a container's"
                    + " user namespace is not enough):" + grant;
        }
        if (driver == DriverProfile.PRODUCTION) {
            return "triggering a generation update needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN in the"
                    + " caller's user namespace (the production sysgenid driver; a container's root has it):"
                    + grant;
        }
        return "triggering a generation update needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN: in the initial"
                + " user namespace with this project's sysgenid module, in the caller's own user namespace with"
                + " the production driver (Amazon Linux microVM kernels):" + grant;
    }
}
