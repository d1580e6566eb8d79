/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

/** poll(2) of one fd for readability: a watcher's blocking read and its {@code isOutdated}. */
public final class Poll {

    private static final int POLLFD_SIZE = 8;

    private Poll() {
    }

    /**
     * poll(2) for readability of one fd.
     *
     * @return 1 readable, 0 timed out, or a negative errno
     */
    public static int pollIn(int fd, int timeoutMillis) {
        try (NativeBuffer p = new NativeBuffer(POLLFD_SIZE)) { // struct pollfd {int fd; short events, revents;}
            p.putInt(0, fd);
            p.putShort(4, LibC.POLLIN);
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
}
