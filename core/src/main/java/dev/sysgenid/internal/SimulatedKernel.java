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
 * DeviceFile#pollFd()} is the read end of a pipe that holds one byte exactly while the file is
 * outdated (so poll reports {@code POLLIN | POLLRDNORM} then, and never {@code POLLOUT}, as the
 * driver), and every bump writes to it, so an edge-triggered epoll sees one edge per bump as
 * the driver's wake-up gives; the counter page is a memfd mapped shared, so mmap works as on
 * the real device.
 *
 * <p>Lifetime: {@link #close()} refuses new files, mappings and bumps from outside; the files
 * already open keep working as they do on the real device, and the memfd and the writer's
 * mapping of the page are released with the last of them (never while a file could still
 * bump, and never while a later open could take over the memfd's number).
 *
 * <p>Locking: {@link #lock} guards the generation, every file's state, both counts and the
 * lifetime fields; {@link #changed} is signalled on every bump, ack, tracking change and
 * close, and waiters re-check their condition after every wake-up (no lost wake-ups).
 */
public final class SimulatedKernel implements DeviceBackend {

    private static final VarHandle PAGE_INT =
            MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final long pageSize;
    /** Guarded by lock; -1 once released. */
    private int memfd;
    /** The writer's mapping of the page: valid while memfd is. */
    private final long writerAddress;
    private final ByteBuffer page;

    private int generation;
    private int tracked;
    private int outdated;
    private volatile boolean triggerCapability = true;
    /** Guarded by lock: {@link #close()} was called. */
    private boolean closed;
    /** Guarded by lock: files opened and not yet closed. */
    private int openFiles;

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
     * A bump from outside any file (the hypervisor's restore), refused once the device is
     * closed.
     *
     * @return the new generation as an unsigned value, or {@code -ENODEV} after {@link #close()}
     */
    public long bumpUnlessClosed(int minGeneration) {
        lock.lock();
        try {
            return closed ? -Errno.ENODEV : Integer.toUnsignedLong(bumpLocked(minGeneration));
        } finally {
            lock.unlock();
        }
    }

    /**
     * A bump as the driver does it: new = max(min, current + 1) in unsigned 32-bit arithmetic,
     * and never the current value (so the counter moves even at 0xFFFFFFFF). Called with lock
     * held, while the page is mapped (the device is open, or a file is).
     */
    private int bumpLocked(int minGeneration) {
        int next = generation + 1;
        int value = Integer.compareUnsigned(minGeneration, next) > 0 ? minGeneration : next;
        if (value == generation) {
            value = next;
        }
        generation = value;
        PAGE_INT.setRelease(page, 0, value);
        for (SimulatedFile f = head; f != null; f = f.next) {
            f.bumpedLocked();
        }
        changed.signalAll();
        return value;
    }

    // Open files, a doubly linked list guarded by lock.
    private SimulatedFile head;

    @Override
    public DeviceFile open() {
        int[] pipe = new int[2];
        if (LibC.pipe2(pipe, LibC.O_NONBLOCK | LibC.O_CLOEXEC) < 0) {
            throw new ErrnoException("pipe2", LibC.errno());
        }
        lock.lock();
        try {
            if (closed) {
                LibC.close(pipe[0]);
                LibC.close(pipe[1]);
                throw new ErrnoException("open(simulated) after close", Errno.ENODEV);
            }
            SimulatedFile f = new SimulatedFile(pipe[0], pipe[1]);
            f.next = head;
            if (head != null) {
                head.prev = f;
            }
            head = f;
            openFiles++;
            return f;
        } finally {
            lock.unlock();
        }
    }

    /**
     * In the driver's order: offset and size first ({@code EINVAL}, also for a writable
     * mapping), then the protection ({@code EPERM}). The memfd is mapped shared whatever type
     * was asked for: the driver's page cannot become writable in a private mapping either,
     * and the memfd's write seal takes that right away from shared mappings only.
     */
    @Override
    public long map(long length, int prot, int flags, long offset) {
        int type = flags & LibC.MAP_TYPE;
        if (offset != 0 || length <= 0 || length > pageSize
                || (type != LibC.MAP_SHARED && type != LibC.MAP_PRIVATE && type != LibC.MAP_SHARED_VALIDATE)) {
            return -Errno.EINVAL;
        }
        if ((prot & LibC.PROT_WRITE) != 0) {
            return -Errno.EPERM;
        }
        int shared = type == LibC.MAP_PRIVATE ? (flags & ~LibC.MAP_TYPE) | LibC.MAP_SHARED : flags;
        lock.lock();
        try {
            if (closed) {
                return -Errno.ENODEV; // the memfd's number may belong to another file by now
            }
            long addr = LibC.mmap(0, length, prot, shared, memfd, 0);
            return addr == LibC.MAP_FAILED ? -LibC.errno() : addr;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new files, mappings and outside bumps; releases the page with the last file. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (openFiles == 0) {
                releaseLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Called with lock held, once: the device is closed and no file is open. */
    private void releaseLocked() {
        LibC.munmap(writerAddress, pageSize);
        LibC.close(memfd);
        memfd = -1;
    }

    private final class SimulatedFile implements DeviceFile {
        /** The pipe: readable (one byte in it) exactly while outdated. */
        private final int readFd;
        private final int writeFd;
        /** Under lock: the buffer of the pipe's one-byte reads and writes. */
        private final long[] oneByte = new long[1];
        private boolean isOutdated;
        private boolean isTracked;
        private boolean closed;
        private SimulatedFile prev;
        private SimulatedFile next;

        SimulatedFile(int readFd, int writeFd) {
            this.readFd = readFd;
            this.writeFd = writeFd;
        }

        /**
         * Under lock, on every bump: the driver wakes every poller of every file, outdated
         * already or not. One byte in (a write wakes epoll also into a pipe that is not
         * empty), then, if one was there already, one byte out: the pipe never looks empty
         * to a concurrent poll while the file is outdated, and never holds more than a byte.
         */
        void bumpedLocked() {
            oneByte[0] = 1;
            LibC.write(writeFd, oneByte, 1);
            if (isOutdated) {
                LibC.read(readFd, oneByte, 1);
            } else {
                isOutdated = true;
                if (isTracked) {
                    outdated++;
                }
            }
        }

        @Override
        public int pollFd() {
            return readFd;
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
                    LibC.read(readFd, oneByte, 8);
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
                lock.lock();
                try {
                    bumpLocked((int) arg); // a file is open: the page is still mapped
                } finally {
                    lock.unlock();
                }
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
                if (--openFiles == 0 && SimulatedKernel.this.closed) {
                    releaseLocked();
                }
            } finally {
                lock.unlock();
            }
            LibC.close(readFd);
            LibC.close(writeFd);
        }
    }
}
