/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import dev.sysgenid.internal.Errno;

/** A system call on the device failed for a reason none of the other errors names. */
public final class DeviceIoException extends SysgenidException {
    /**
     * A failed system call.
     *
     * @param call the call that failed, as the message should name it
     * @param errno its system error
     */
    public DeviceIoException(String call, int errno) {
        this(call, errno, null);
    }

    /**
     * A failed system call, with what led to it.
     *
     * @param call the call that failed, as the message should name it
     * @param errno its system error
     * @param cause what led to it (kept as the cause), or null
     */
    public DeviceIoException(String call, int errno, Throwable cause) {
        super(call + " failed: " + Errno.describe(errno)
                + ". This is unexpected for the sysgenid device; check dmesg and report it.", errno, cause);
    }
}
