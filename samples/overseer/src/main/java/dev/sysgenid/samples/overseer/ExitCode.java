/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import dev.sysgenid.DeviceAbsentException;
import dev.sysgenid.DevicePermissionException;
import dev.sysgenid.DeviceStatus;
import dev.sysgenid.MissingCapabilityException;
import dev.sysgenid.NotADeviceException;
import dev.sysgenid.SysgenidException;
import dev.sysgenid.WaitResult;

/**
 * The overseer's exit statuses. They are a stable interface: a systemd unit
 * ({@code SuccessExitStatus=}, {@code RestartPreventExitStatus=}) or a snapshot script may
 * branch on them, so a value never changes meaning and new causes get new numbers.
 * Every status other than {@link #OK} comes with a message on standard error (or a JSON
 * object with {@code "error"} on standard output under {@code --json}) that says what to do.
 */
public enum ExitCode {
    /** The command did what it was asked. */
    OK(0, "ok"),
    /** Bad command line: unknown option, malformed number or duration. */
    USAGE(1, "usage"),
    /** The device node does not exist (module not loaded, or wrong --device). */
    DEVICE_ABSENT(2, "device-absent"),
    /** The node exists but this user may not open it: install the udev rule. */
    PERMISSION_DENIED(3, "permission-denied"),
    /** The path opens but is not a sysgenid device. */
    NOT_A_DEVICE(4, "not-a-device"),
    /** TRIGGER needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN. */
    MISSING_CAPABILITY(5, "missing-capability"),
    /** The wait ended at its timeout with tracked watchers still outdated. */
    WAIT_TIMED_OUT(6, "wait-timed-out"),
    /** The counter moved again while waiting (someone else bumped it): handle it and wait again. */
    COUNTER_MOVED(7, "counter-moved"),
    /** Any other failure of a system call on the device (or the open-file limit). */
    DEVICE_ERROR(8, "device-error");

    private final int code;
    private final String label;

    ExitCode(int code, String label) {
        this.code = code;
        this.label = label;
    }

    /** The process exit status. */
    public int code() {
        return code;
    }

    /** A stable lower-case name, used as the {@code "error"} value in JSON output. */
    public String label() {
        return label;
    }

    /** The status for a failure raised by the device library. */
    public static ExitCode of(SysgenidException failure) {
        if (failure instanceof KernelRngException k) {
            return k.exitCode();
        }
        if (failure instanceof DeviceAbsentException) {
            return DEVICE_ABSENT;
        }
        if (failure instanceof DevicePermissionException) {
            return PERMISSION_DENIED;
        }
        if (failure instanceof NotADeviceException) {
            return NOT_A_DEVICE;
        }
        if (failure instanceof MissingCapabilityException) {
            return MISSING_CAPABILITY;
        }
        return DEVICE_ERROR;
    }

    /** The status for what {@code status} found at a path. */
    public static ExitCode of(DeviceStatus status) {
        return switch (status) {
            case PRESENT -> OK;
            case ABSENT -> DEVICE_ABSENT;
            case PERMISSION_DENIED -> PERMISSION_DENIED;
            case NOT_A_DEVICE -> NOT_A_DEVICE;
        };
    }

    /** The status for the end of an overseer's wait. */
    public static ExitCode of(WaitResult.Outcome outcome) {
        return switch (outcome) {
            case ALL_ACKNOWLEDGED -> OK;
            case TIMED_OUT -> WAIT_TIMED_OUT;
            case CALLER_OUTDATED -> COUNTER_MOVED;
        };
    }
}
