/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

/** Reads a small text file such as a sysfs attribute with libc alone. */
public final class SmallFile {

    private SmallFile() {
    }

    /**
     * The first bytes (at most 255) of a small text file such as a sysfs attribute, read with
     * libc alone (no NIO, which a JVM at its fd limit may fail to initialise for good).
     *
     * @throws ErrnoException with the errno of open or read
     */
    public static String read(String path) {
        int fd = LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            throw new ErrnoException("open(" + path + ")", LibC.errno());
        }
        try {
            byte[] buf = new byte[255];
            long n = LibC.read(fd, buf, buf.length);
            if (n < 0) {
                throw new ErrnoException("read(" + path + ")", LibC.errno());
            }
            return new String(buf, 0, (int) n, java.nio.charset.StandardCharsets.US_ASCII);
        } finally {
            LibC.close(fd);
        }
    }
}
