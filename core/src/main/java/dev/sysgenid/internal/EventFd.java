/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

/**
 * A non-blocking, close-on-exec eventfd used as a wake-up signal: {@link #signal()} adds one to
 * its counter, which makes it readable and wakes whoever watches it with epoll, and nobody
 * needs to read it. Owns the fd; {@link #signal()} may be called from any thread, but not
 * concurrently with {@link #close()} (the owner serialises the two).
 */
public final class EventFd implements AutoCloseable {

    /*
     * Why it is never read. An eventfd's write wakes its wait queue on every successful write,
     * whatever the counter held before (fs/eventfd.c; eventfd(2)), and an epoll item armed
     * EPOLLET is queued as ready on each such wake-up (epoll(7): edge-triggered delivers when
     * the ready state is signalled again, not only on a change from not-ready). So one write
     * is one epoll event, and the counter can stay non-zero for ever.
     *
     * Its one limit: the counter saturates at 0xfffffffffffffffe, and a write that would pass it
     * fails with EAGAIN on a non-blocking fd, waking nobody. Writers add one per burst of work
     * (EpollLoop's wake-pending flag), so 2^64 - 2 writes would take centuries; still, signal()
     * handles it: on EAGAIN it reads the counter back to zero (a read wakes no epoll waiter and
     * loses nothing, since the count itself means nothing) and writes again.
     */
    private final int fd;
    /** Eight bytes holding 1, written once here and only read afterwards: shared by every writer. */
    private final NativeBuffer one = new NativeBuffer(8);
    /** Where {@link #reset} reads the counter to; used under the owner's serialisation only. */
    private final NativeBuffer sink = new NativeBuffer(8);

    /**
     * Opens one.
     *
     * @throws ErrnoException with eventfd's errno
     */
    public EventFd() {
        int r = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        if (r < 0) {
            int e = LibC.errno();
            one.close();
            sink.close();
            throw new ErrnoException("eventfd", e);
        }
        fd = r;
        one.putLong(0, 1L);
    }

    /** {@return the fd, to watch with epoll or poll} */
    public int fd() {
        return fd;
    }

    /**
     * Adds one to the counter: one wake-up for an epoll waiter armed edge-triggered.
     *
     * @return 0, or a negative errno (EBADF after close, say)
     */
    public int signal() {
        int r = write();
        if (r == -Errno.EAGAIN) {
            reset();
            r = write();
        }
        return r;
    }

    /** Reads the counter back to zero (not readable any more): the saturation case of {@link #signal()}. */
    public void reset() {
        LibC.read(fd, sink.address(), 8);
    }

    private int write() {
        return LibC.write(fd, one.address(), 8) < 0 ? -LibC.errno() : 0;
    }

    /** Closes the fd and frees the buffers; idempotent only if the owner calls it once. */
    @Override
    public void close() {
        LibC.close(fd);
        one.close();
        sink.close();
    }
}
