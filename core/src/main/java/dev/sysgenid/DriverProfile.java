/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/**
 * Which of the two {@code /dev/sysgenid} drivers a device behaves as. Both use the same ioctl
 * numbers, read and write; they differ where {@code docs/sysgenid-abi.md} ("our driver vs the
 * production driver") says, and this library works on both with the same API.
 */
public enum DriverProfile {

    /**
     * This project's module ({@code kernel-module/}): an unsigned counter and {@code min_gen},
     * TRIGGER only with the capability in the initial user namespace, poll registers an
     * outdated file on its wait queue, and the counts are exported in sysfs.
     */
    OURS("this project's sysgenid module"),

    /**
     * The driver Amazon Linux's microVM kernels ship ({@code drivers/misc/sysgenid.c}): a signed
     * counter and {@code min_gen} (the counter wraps from 0x7fffffff to 0, a {@code min_gen} of
     * 0x80000000 or more is ignored), TRIGGER allowed to the root of a user namespace, a poll of
     * an outdated file that does not register it on the wait queue, and no counts in sysfs.
     */
    PRODUCTION("the production sysgenid driver (Amazon Linux microVM kernels)"),

    /**
     * A driver this process could not identify: sysfs does not show the device at all (not
     * mounted, or hidden, as in some containers), so neither ours nor the production driver is
     * evident. The library then allows for the production driver's behaviour (the loop re-arms
     * registrations added while outdated; no counts) without claiming it is that driver. Only
     * detection gives it: a simulated device plays {@link #OURS} or {@link #PRODUCTION}.
     */
    UNKNOWN("an unidentified sysgenid driver (sysfs does not show the device)");

    private final String description;

    DriverProfile(String description) {
        this.description = description;
    }

    /** {@return which driver this is, in words, for status lines} */
    public String description() {
        return description;
    }
}
