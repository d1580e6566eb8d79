/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

/**
 * One open file of a generation device, at the level of the system calls: results are raw,
 * failures are negative errno values. The real device and the simulated one implement it with
 * the same semantics (the contract suite runs against both).
 *
 * <p>Reads never block: {@link #pollFd()} is a real file descriptor that is readable (level
 * triggered) exactly while this file is outdated, so waiting is done with poll or epoll.
 */
public interface DeviceFile {

    /**
     * A file descriptor readable ({@code POLLIN | POLLRDNORM}, never writable) exactly while
     * this file is outdated, that wakes its pollers on every bump; owned by this file.
     */
    int pollFd();

    /**
     * read(2) with a buffer of {@code bufferSize} bytes, non-blocking.
     *
     * @return the current generation as an unsigned value (0..2^32-1), 0 for a 0-byte buffer,
     *         or a negative errno ({@code -EAGAIN} when up to date, {@code -EINVAL} for a buffer
     *         smaller than 4 bytes)
     */
    long read(int bufferSize);

    /**
     * write(2) of {@code byteCount} bytes whose first four hold {@code generation} in native
     * byte order (the rest zero); {@code byteCount} is at most 8.
     *
     * @return 0 once acknowledged, or a negative errno ({@code -ENOBUFS}, {@code -EINVAL})
     */
    int write(int generation, int byteCount);

    /** ioctl(2) on this file; 0 or a negative errno. Blocking requests block the caller. */
    int ioctl(long request, long arg);

    /**
     * epoll_ctl(2) of this file in the epoll instance {@code epfd}: {@code op} is {@code
     * EPOLL_CTL_ADD}, {@code EPOLL_CTL_MOD} or {@code EPOLL_CTL_DEL}, {@code event} the address
     * of a {@code struct epoll_event}. For a real fd, the system call on {@link #pollFd()}; the
     * simulated production driver models its poll per epoll registration here (see {@code
     * SimulatedKernel}), so every epoll registration of a device file goes through this.
     *
     * @return 0, or a negative errno ({@code -EEXIST} for a second ADD, {@code -ENOENT} for a
     *         DEL or MOD of a file not in the set, as epoll_ctl(2) says)
     */
    default int epollCtl(int epfd, int op, long event) {
        return LibC.epoll_ctl(epfd, op, pollFd(), event) < 0 ? -LibC.errno() : 0;
    }

    /** close(2); called once. */
    void close();
}
