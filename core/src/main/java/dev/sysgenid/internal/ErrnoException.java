/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

/** A failed system call inside the internal layer; the public layer turns it into a typed error. */
public final class ErrnoException extends RuntimeException {

    private final String call;
    private final int errno;

    public ErrnoException(String call, int errno) {
        super(call + " failed: " + Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    /** The system call that failed, as named in the message. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
