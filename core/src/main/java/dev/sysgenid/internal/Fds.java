/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

/** Small fd operations shared by the epoll loop and the simulated device. */
public final class Fds {

    private Fds() {
    }

    /** Page size of this process. */
    public static long pageSize() {
        return LibC.sysconf(30 /* _SC_PAGESIZE */);
    }

    /**
     * The first bytes (at most 255) of a small text file such as a sysfs attribute, read with
     * libc alone (no NIO, which a JVM at its fd limit may fail to initialise for good).
     *
     * @throws ErrnoException with the errno of open or read
     */
    public static String readSmallFile(String path) {
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

    /** A new non-blocking, close-on-exec eventfd. */
    public static int eventfd() {
        int fd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        if (fd < 0) {
            throw new ErrnoException("eventfd", LibC.errno());
        }
        return fd;
    }

    /** Adds one to an eventfd, making it readable. */
    public static void signal(int eventFd) {
        LibC.write(eventFd, new long[] {1L}, 8);
    }

    /** Resets an eventfd to zero (not readable). */
    public static void drain(int eventFd) {
        LibC.read(eventFd, new long[1], 8);
    }

    /**
     * poll(2) for readability of one fd.
     *
     * @return 1 readable, 0 timed out, or a negative errno
     */
    public static int pollIn(int fd, int timeoutMillis) {
        try (PollFd p = new PollFd(fd)) {
            int n = LibC.poll(p.address(), 1, timeoutMillis);
            return n < 0 ? -LibC.errno() : n;
        }
    }

    /**
     * Whether {@code fd} is readable now: poll(2) without a timeout, retried when a signal
     * interrupts it (any signal with a handler does, even with no timeout: a profiler's SIGPROF,
     * the JVM's own), so the answer never depends on signal timing.
     *
     * @return 1 readable, 0 not, or a negative errno other than EINTR
     */
    public static int pollInNow(int fd) {
        return retryInterrupted(() -> pollIn(fd, 0));
    }

    /** Calls {@code call} (which returns a negative errno on failure) again while it fails with EINTR. */
    static int retryInterrupted(java.util.function.IntSupplier call) {
        int r;
        do {
            r = call.getAsInt();
        } while (r == -Errno.EINTR);
        return r;
    }

    /** A {@code struct pollfd} in native memory, for one poll(2) call. */
    private static final class PollFd implements AutoCloseable {
        private final com.sun.jna.Memory mem = new com.sun.jna.Memory(8);

        PollFd(int fd) {
            mem.setInt(0, fd);
            mem.setShort(4, LibC.POLLIN);
            mem.setShort(6, (short) 0);
        }

        long address() {
            return com.sun.jna.Pointer.nativeValue(mem);
        }

        @Override
        public void close() {
            mem.close();
        }
    }
}
