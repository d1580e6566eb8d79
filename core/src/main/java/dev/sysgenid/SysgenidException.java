/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/**
 * Base of every error this library raises. Each subclass names one cause and its message says
 * what to do about it. {@link #errno()} is the system error behind it, or 0 where there is none.
 */
public class SysgenidException extends RuntimeException {

    /** The errno behind this error, 0 if none (part of the serialized form). */
    private final int errno;

    /**
     * An error with no underlying cause.
     *
     * @param message what went wrong and what to do about it
     * @param errno the system error behind it, or 0 if none
     */
    public SysgenidException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /**
     * An error caused by another.
     *
     * @param message what went wrong and what to do about it
     * @param errno the system error behind it, or 0 if none
     * @param cause what was thrown underneath (kept as {@link #getCause()})
     */
    public SysgenidException(String message, int errno, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    /** {@return the errno behind this error, 0 if none} */
    public int errno() {
        return errno;
    }
}
