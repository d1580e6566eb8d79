/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import dev.sysgenid.SysgenidException;

/**
 * {@code restore-cycle --reseed-kernel-rng} could not reseed the kernel RNG; the message says
 * what to do, and {@link #exitCode()} is the status the overseer exits with.
 */
final class KernelRngException extends SysgenidException {

    private static final long serialVersionUID = 1L;

    private final transient ExitCode exitCode;

    KernelRngException(ExitCode exitCode, String message, int errno) {
        super(message, errno);
        this.exitCode = exitCode;
    }

    ExitCode exitCode() {
        return exitCode;
    }
}
