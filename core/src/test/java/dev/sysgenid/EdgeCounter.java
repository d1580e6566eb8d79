/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import dev.sysgenid.internal.DeviceFile;
import dev.sysgenid.internal.EpollEvent;
import dev.sysgenid.internal.Errno;
import dev.sysgenid.internal.LibC;
import dev.sysgenid.internal.NativeBuffer;

/**
 * A private epoll instance with device fds armed edge-triggered ({@code EPOLLIN | EPOLLET}), as
 * the epoll loop arms them, for counting the edges the device signals; and poll(2)'s raw
 * revents of one fd. Test code only: one thread at a time.
 */
final class EdgeCounter implements AutoCloseable {

    /** poll(2) bits: what a device fd may report (in) and what it must never report (out). */
    static final short POLLIN = 0x001;
    static final short POLLOUT = 0x004;
    static final short POLLRDNORM = 0x040;
    static final short POLLWRNORM = 0x100;

    private static final int MAX_EVENTS = 64;

    private final int epfd;
    private final NativeBuffer ctl = EpollEvent.allocate(1);
    private final NativeBuffer events = EpollEvent.allocate(MAX_EVENTS);

    EdgeCounter() {
        epfd = LibC.epoll_create1(LibC.EPOLL_CLOEXEC);
        if (epfd < 0) {
            throw new IllegalStateException("epoll_create1: errno " + LibC.errno());
        }
    }

    /**
     * Arms {@code file} edge-triggered, with its fd number as the event's data, through {@link
     * DeviceFile#epollCtl} as the epoll loop arms it (where the simulated production driver
     * models its poll).
     */
    void add(DeviceFile file) {
        int r = ctl(file, LibC.EPOLL_CTL_ADD);
        if (r < 0) {
            throw new IllegalStateException("epoll_ctl(ADD " + file.pollFd() + "): " + Errno.describe(-r));
        }
    }

    /** Disarms {@code file} (before it is closed): 0 or a negative errno. */
    int remove(DeviceFile file) {
        return ctl(file, LibC.EPOLL_CTL_DEL);
    }

    /** epoll_ctl of {@code file} in this instance, as the loop does it: 0 or a negative errno. */
    int ctl(DeviceFile file, int op) {
        EpollEvent.put(ctl, 0, LibC.EPOLLIN | LibC.EPOLLET, file.pollFd());
        return file.epollCtl(epfd, op, ctl.address());
    }

    /**
     * How many times each of {@code fds} is reported by one epoll_wait that does not block:
     * 1 if an edge arrived since the last call and the fd is still readable, else 0.
     */
    int[] harvest(int... fds) {
        int[] counts = new int[fds.length];
        int n;
        do {
            n = LibC.epoll_wait(epfd, events.address(), MAX_EVENTS, 0);
        } while (n < 0 && LibC.errno() == Errno.EINTR);
        if (n < 0) {
            throw new IllegalStateException("epoll_wait: errno " + LibC.errno());
        }
        for (int i = 0; i < n; i++) {
            long fd = EpollEvent.data(events, i);
            for (int k = 0; k < fds.length; k++) {
                if (fds[k] == fd) {
                    counts[k]++;
                }
            }
        }
        return counts;
    }

    /** The edges of one fd since the last harvest (0 or 1). */
    int harvest(int fd) {
        return harvest(new int[] {fd})[0];
    }

    /** poll(2) of {@code fd} for every bit above, no timeout: the raw revents. */
    static int revents(int fd) {
        try (NativeBuffer p = new NativeBuffer(8)) {
            p.putInt(0, fd);
            p.putShort(4, (short) (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM));
            int n;
            do {
                n = LibC.poll(p.address(), 1, 0);
            } while (n < 0 && LibC.errno() == Errno.EINTR);
            if (n < 0) {
                throw new IllegalStateException("poll: errno " + LibC.errno());
            }
            return p.getShort(6) & 0xFFFF;
        }
    }

    @Override
    public void close() {
        LibC.close(epfd);
        ctl.close();
        events.close();
    }
}
