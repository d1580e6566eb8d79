/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import com.sun.jna.Pointer;

/**
 * The driver's semantics in the JVM, with real file descriptors: each file's {@link
 * DeviceFile#pollFd()} is an eventfd that is readable exactly while the file is outdated, and
 * the counter page is a memfd mapped shared, so epoll and mmap work as on the real device.
 *
 * <p>Locking: {@link #lock} guards the generation, every file's state and both counts;
 * {@link #changed} is signalled on every bump, ack, tracking change and close, and waiters
 * re-check their condition after every wake-up (no lost wake-ups).
 */
public final class SimulatedKernel implements DeviceBackend {

    private static final VarHandle PAGE_INT =
            MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final int memfd;
    private final long pageSize;
    private final long writerAddress;
    private final ByteBuffer page;

    private int generation;
    private int tracked;
    private int outdated;
    private volatile boolean triggerCapability = true;

    public SimulatedKernel(int initialGeneration) {
        pageSize = Fds.pageSize();
        memfd = LibC.memfd_create("sysgenid-simulated", LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        if (memfd < 0) {
            throw new ErrnoException("memfd_create", LibC.errno());
        }
        if (LibC.ftruncate(memfd, pageSize) < 0) {
            int e = LibC.errno();
            LibC.close(memfd);
            throw new ErrnoException("ftruncate", e);
        }
        writerAddress = LibC.mmap(0, pageSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, memfd, 0);
        if (writerAddress == LibC.MAP_FAILED) {
            int e = LibC.errno();
            LibC.close(memfd);
            throw new ErrnoException("mmap", e);
        }
        // From now on no mapping of the memfd can be or become writable, as with the driver's page.
        if (LibC.fcntl(memfd, LibC.F_ADD_SEALS, LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW | LibC.F_SEAL_FUTURE_WRITE) < 0) {
            int e = LibC.errno();
            LibC.munmap(writerAddress, pageSize);
            LibC.close(memfd);
            throw new ErrnoException("fcntl(F_ADD_SEALS)", e);
        }
        page = new Pointer(writerAddress).getByteBuffer(0, pageSize);
        generation = initialGeneration;
        PAGE_INT.setRelease(page, 0, initialGeneration);
    }

    /** The counter. */
    public int generation() {
        lock.lock();
        try {
            return generation;
        } finally {
            lock.unlock();
        }
    }

    public int trackedWatchers() {
        lock.lock();
        try {
            return tracked;
        } finally {
            lock.unlock();
        }
    }

    public int outdatedWatchers() {
        lock.lock();
        try {
            return outdated;
        } finally {
            lock.unlock();
        }
    }

    /** Whether TRIGGER is allowed (models CAP_CHECKPOINT_RESTORE / CAP_SYS_ADMIN). */
    public void setTriggerCapability(boolean allowed) {
        triggerCapability = allowed;
    }

    /**
     * A bump as the driver does it: new = max(min, current + 1) in unsigned 32-bit arithmetic,
     * and never the current value (so the counter moves even at 0xFFFFFFFF).
     *
     * @return the new generation
     */
    public int bump(int minGeneration) {
        lock.lock();
        try {
            int next = generation + 1;
            int value = Integer.compareUnsigned(minGeneration, next) > 0 ? minGeneration : next;
            if (value == generation) {
                value = next;
            }
            generation = value;
            PAGE_INT.setRelease(page, 0, value);
            for (SimulatedFile f = head; f != null; f = f.next) {
                f.markOutdated();
            }
            changed.signalAll();
            return value;
        } finally {
            lock.unlock();
        }
    }

    // Open files, a doubly linked list guarded by lock.
    private SimulatedFile head;

    @Override
    public DeviceFile open() {
        int efd = Fds.eventfd();
        lock.lock();
        try {
            SimulatedFile f = new SimulatedFile(efd);
            f.next = head;
            if (head != null) {
                head.prev = f;
            }
            head = f;
            return f;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long map(long length, int prot, int flags, long offset) {
        if ((prot & LibC.PROT_WRITE) != 0) {
            return -Errno.EPERM;
        }
        if (offset != 0 || length <= 0 || length > pageSize) {
            return -Errno.EINVAL;
        }
        long addr = LibC.mmap(0, length, prot, flags, memfd, 0);
        return addr == LibC.MAP_FAILED ? -LibC.errno() : addr;
    }

    @Override
    public void close() {
        LibC.munmap(writerAddress, pageSize);
        LibC.close(memfd);
    }

    private final class SimulatedFile implements DeviceFile {
        private final int eventFd;
        private boolean isOutdated;
        private boolean isTracked;
        private boolean closed;
        private SimulatedFile prev;
        private SimulatedFile next;

        SimulatedFile(int eventFd) {
            this.eventFd = eventFd;
        }

        /** Under lock. */
        void markOutdated() {
            if (!isOutdated) {
                isOutdated = true;
                Fds.signal(eventFd);
                if (isTracked) {
                    outdated++;
                }
            }
        }

        @Override
        public int pollFd() {
            return eventFd;
        }

        @Override
        public long read(int bufferSize) {
            if (bufferSize == 0) {
                return 0;
            }
            if (bufferSize < 4) {
                return -Errno.EINVAL;
            }
            lock.lock();
            try {
                return isOutdated ? Integer.toUnsignedLong(generation) : -Errno.EAGAIN;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int write(int value, int byteCount) {
            if (byteCount != 4) {
                return -Errno.ENOBUFS;
            }
            lock.lock();
            try {
                if (value != generation) {
                    return -Errno.EINVAL;
                }
                if (isOutdated) {
                    isOutdated = false;
                    Fds.drain(eventFd);
                    if (isTracked) {
                        outdated--;
                        changed.signalAll();
                    }
                }
                return 0;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int ioctl(long request, long arg) {
            if (request == LibC.SYSGENID_SET_WATCHER_TRACKING) {
                return setTracking(arg != 0);
            }
            if (request == LibC.SYSGENID_WAIT_WATCHERS) {
                return waitWatchers(arg & 0xFFFF_FFFFL);
            }
            if (request == LibC.SYSGENID_TRIGGER_GEN_UPDATE) {
                if (!triggerCapability) {
                    return -Errno.EACCES;
                }
                bump((int) arg);
                return 0;
            }
            return -Errno.EINVAL;
        }

        private int setTracking(boolean on) {
            lock.lock();
            try {
                if (on != isTracked) {
                    isTracked = on;
                    int delta = on ? 1 : -1;
                    tracked += delta;
                    if (isOutdated) {
                        outdated += delta;
                    }
                    changed.signalAll();
                }
                return 0;
            } finally {
                lock.unlock();
            }
        }

        private int waitWatchers(long timeoutMillis) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            lock.lock();
            try {
                while (true) {
                    if (isOutdated) {
                        return -Errno.EINTR;
                    }
                    if (outdated == 0) {
                        return 0;
                    }
                    if (timeoutMillis == 0) {
                        changed.await();
                    } else {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            return -Errno.ETIME;
                        }
                        changed.awaitNanos(left);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -Errno.EINTR;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
                setTracking(false);
                if (prev != null) {
                    prev.next = next;
                } else {
                    head = next;
                }
                if (next != null) {
                    next.prev = prev;
                }
            } finally {
                lock.unlock();
            }
            LibC.close(eventFd);
        }
    }
}
