/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/** TRIGGER was refused: the caller lacks the capability in the initial user namespace. */
public final class MissingCapabilityException extends SysgenidException {
    public MissingCapabilityException(int errno) {
        super("triggering a generation update needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN in the"
                + " initial user namespace (a root inside a container's user namespace is not enough):"
                + " run the overseer as root, or grant it with"
                + " 'AmbientCapabilities=CAP_CHECKPOINT_RESTORE' in its systemd unit.", errno);
    }
}
