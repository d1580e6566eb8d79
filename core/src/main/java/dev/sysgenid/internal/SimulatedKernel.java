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

import dev.sysgenid.DriverProfile;

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
 * <p>The {@link DriverProfile#PRODUCTION production profile} differs where that driver does:
 * the counter and {@code min_gen} are signed (see {@link #bumpLocked}), TRIGGER is also allowed to a user
 * namespace's root, and a poll of an outdated file does not register it on the wait queue. The
 * last is modelled per epoll registration, in {@link DeviceFile#epollCtl}, because that is where
 * it shows: each epoll registration of a file is an entry of its own with a private pipe (its
 * "wait-queue entry"), added to the epoll set in the file's place and carrying the caller's
 * event data. An entry made while the file is up to date is written on every bump, as the
 * driver wakes its wait queue; one made while outdated holds a byte (the edge of its ADD) and
 * is never written again: deaf, as with the driver, until a DEL takes it out (it stays
 * readable, see {@code drainLocked}). The entries are
 * keyed by epoll instance as the kernel keys an epoll item by its file, and live as long as the
 * file, so a DEL finds the entry of the ADD whatever happened in between (as it finds the
 * driver's one file), a second ADD is {@code EEXIST} and a DEL of nothing {@code ENOENT}. The
 * entries on the wait queue hold a byte exactly while the file is outdated (drained on the
 * acknowledgement), so an edge that arrives after an acknowledgement is not reported, as with
 * the driver's poll. A plain poll(2) of {@link DeviceFile#pollFd()} is the live pipe, as the
 * driver's poll of an up-to-date file (it registers and is woken). If a pipe of the simulation
 * cannot be had or written, the call fails with that errno (the ADD with {@code EMFILE}, say),
 * never by quietly behaving as our driver. The counts are kept on both profiles (the
 * simulation's own books, for tests); the device does not report
 * them on the production profile.
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
    private final DriverProfile profile;
    private volatile boolean triggerCapability = true;
    /** The caller is root in a user namespace other than the initial one. */
    private volatile boolean namespaceRoot;
    /** Guarded by lock: {@link #close()} was called. */
    private boolean closed;
    /** Guarded by lock: files opened and not yet closed. */
    private int openFiles;

    public SimulatedKernel(int initialGeneration, DriverProfile profile) {
        this.profile = profile;
        pageSize = LibC.pageSize();
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

    public DriverProfile profile() {
        return profile;
    }

    /** Whether TRIGGER is allowed (models CAP_CHECKPOINT_RESTORE / CAP_SYS_ADMIN in the initial namespace). */
    public void setTriggerCapability(boolean allowed) {
        triggerCapability = allowed;
    }

    /**
     * Whether the caller is root in a user namespace of its own (a container's): that allows
     * TRIGGER on the production profile, not on ours.
     */
    public void setNamespaceRoot(boolean root) {
        namespaceRoot = root;
    }

    private boolean triggerAllowed() {
        return triggerCapability || (namespaceRoot && profile == DriverProfile.PRODUCTION);
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
     * A bump as the driver does it. Ours: new = max(min, current + 1) in unsigned 32-bit
     * arithmetic, and never the current value (so the counter moves even at 0xFFFFFFFF). The
     * production profile: new = max(min, current + 1) in signed 32-bit arithmetic, the add
     * wrapping: from 0x7fffffff a {@code min} of 0 gives 0, a negative one (0x80000000 or
     * more) gives {@code min} itself, 0x7fffffff leaves the counter where it is; elsewhere a
     * negative {@code min} is below current + 1 and changes nothing, and from a negative
     * counter a {@code min} of 0 gives 0. Where the value does not change, the production
     * driver still wakes every poller and sets its outdated count to the tracked count, but no
     * file becomes outdated (each one's acknowledged value still equals the counter), so no
     * acknowledgement lowers that count until the next change. Every change outdates every
     * file: the outdated count is then the tracked count on both profiles. Called with lock
     * held, while the page is mapped (the device is open, or a file is).
     */
    private int bumpLocked(int minGeneration) {
        int value;
        if (profile == DriverProfile.PRODUCTION) {
            value = Math.max(minGeneration, generation + 1);
        } else {
            int next = generation + 1;
            value = Integer.compareUnsigned(minGeneration, next) > 0 ? minGeneration : next;
            if (value == generation) {
                value = next;
            }
        }
        boolean changes = value != generation;
        generation = value;
        PAGE_INT.setRelease(page, 0, value);
        changed.signalAll();
        for (SimulatedFile f = head; f != null; f = f.next) {
            f.bumpedLocked(changes);
        }
        outdated = tracked;
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
     * mapping), then the protection ({@code EPERM}: writable; on our driver's profile also
     * executable, which the production driver allows). Unlike our driver, which takes the right
     * away, a read-only mapping here can still be made executable with mprotect: the memfd's
     * mount allows exec, and a process cannot take that right from its own mapping. The memfd is mapped shared whatever type
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
        if ((prot & LibC.PROT_WRITE) != 0 || ((prot & LibC.PROT_EXEC) != 0 && profile == DriverProfile.OURS)) {
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
        /** The live pipe: readable (one byte in it) exactly while outdated. */
        private final int readFd;
        private final int writeFd;
        /** Under lock: the buffer of the pipes' one-byte reads and writes. */
        private final long[] oneByte = new long[1];
        /** Production profile, under lock: this file's epoll registrations (see the class comment). */
        private EpollEntry entries;
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
         * already or not (on the production profile, every entry on its wait queue). If the
         * counter did not change (only on the production profile), the wake-up makes nothing
         * readable: a byte in and out again of each epoll entry's pipe, as the driver's poll
         * then finds nothing to report; the live pipe is left alone, so that a concurrent
         * lock-free {@code isOutdated()} poll never sees a byte there (a plain poll(2) waiter
         * that the driver would wake for nothing sleeps on instead). The caller sets the
         * outdated count.
         */
        void bumpedLocked(boolean changes) {
            if (changes) {
                wakeLocked(readFd, writeFd, isOutdated);
            }
            for (EpollEntry e = entries; e != null; e = e.next) {
                if (!e.deaf) {
                    wakeLocked(e.readFd, e.writeFd, e.full || !changes);
                    e.full |= changes;
                }
            }
            isOutdated |= changes;
        }

        /**
         * One byte into a pipe (a write wakes epoll also into a pipe that is not empty), then,
         * if one was there already, one byte out: the pipe never looks empty to a concurrent
         * poll while the file is outdated, and never holds more than a byte.
         */
        private void wakeLocked(int pipeRead, int pipeWrite, boolean full) {
            oneByte[0] = 1;
            check("write(simulated wake-up pipe)", LibC.write(pipeWrite, oneByte, 1));
            if (full) {
                check("read(simulated wake-up pipe)", LibC.read(pipeRead, oneByte, 1));
            }
        }

        /**
         * Under lock, as the file is acknowledged: the live pipe and every entry on the wait
         * queue empty again. A deaf entry keeps the byte of its ADD: the kernel looks at an
         * epoll item's readiness only while the item is on its ready list, where a deaf entry
         * is only from its ADD until the next epoll_wait, and the driver's poll then reports the
         * file if it is outdated at that look (acknowledged and bumped again in between, say).
         * A pipe cannot become readable without waking epoll, so the entry stays readable: if
         * the file was acknowledged and not bumped again before that look, the simulation
         * reports one event the driver would not, which a reader takes for nothing new (read
         * says EAGAIN); it never reports less than the driver.
         */
        private void drainLocked() {
            check("read(simulated wake-up pipe)", LibC.read(readFd, oneByte, 1));
            for (EpollEntry e = entries; e != null; e = e.next) {
                if (e.full && !e.deaf) {
                    check("read(simulated wake-up pipe)", LibC.read(e.readFd, oneByte, 1));
                    e.full = false;
                }
            }
        }

        @Override
        public int epollCtl(int epfd, int op, long event) {
            if (profile != DriverProfile.PRODUCTION) {
                return DeviceFile.super.epollCtl(epfd, op, event);
            }
            lock.lock();
            try {
                if (closed) {
                    return -Errno.EBADF;
                }
                EpollEntry found = null;
                for (EpollEntry e = entries; e != null; e = e.next) {
                    if (e.epfd == epfd) {
                        found = e;
                    }
                }
                if (op == LibC.EPOLL_CTL_ADD) {
                    return found != null ? -Errno.EEXIST : addEntryLocked(epfd, event);
                }
                if (found == null) {
                    return -Errno.ENOENT;
                }
                if (LibC.epoll_ctl(epfd, op, found.readFd, event) < 0) {
                    return -LibC.errno();
                }
                if (op == LibC.EPOLL_CTL_DEL) {
                    removeEntryLocked(found);
                }
                return 0;
            } catch (ErrnoException e) {
                return -e.errno();
            } finally {
                lock.unlock();
            }
        }

        /**
         * Under lock: the driver's poll at an ADD. Up to date: the entry goes on the wait queue
         * (woken by every later bump). Outdated: readable at once, and never woken again.
         */
        private int addEntryLocked(int epfd, long event) {
            int[] pipe = new int[2];
            if (LibC.pipe2(pipe, LibC.O_NONBLOCK | LibC.O_CLOEXEC) < 0) {
                return -LibC.errno();
            }
            EpollEntry e = new EpollEntry(epfd, pipe[0], pipe[1], isOutdated);
            try {
                if (isOutdated) {
                    oneByte[0] = 1;
                    check("write(simulated wake-up pipe)", LibC.write(e.writeFd, oneByte, 1));
                    e.full = true;
                }
                if (LibC.epoll_ctl(epfd, LibC.EPOLL_CTL_ADD, e.readFd, event) < 0) {
                    throw new ErrnoException("epoll_ctl", LibC.errno());
                }
            } catch (ErrnoException failure) {
                LibC.close(e.readFd);
                LibC.close(e.writeFd);
                throw failure;
            }
            e.next = entries;
            entries = e;
            return 0;
        }

        private void removeEntryLocked(EpollEntry gone) {
            EpollEntry prevEntry = null;
            for (EpollEntry e = entries; e != null; prevEntry = e, e = e.next) {
                if (e == gone) {
                    if (prevEntry == null) {
                        entries = e.next;
                    } else {
                        prevEntry.next = e.next;
                    }
                    break;
                }
            }
            LibC.close(gone.readFd); // its last reference: the epoll item goes with it
            LibC.close(gone.writeFd);
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
                    if (isTracked) {
                        outdated--;
                        changed.signalAll();
                    }
                    drainLocked();
                }
                return 0;
            } catch (ErrnoException e) {
                return -e.errno();
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
                if (!triggerAllowed()) {
                    return -Errno.EACCES;
                }
                lock.lock();
                try {
                    bumpLocked((int) arg); // a file is open: the page is still mapped
                } catch (ErrnoException e) {
                    return -e.errno();
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
                while (entries != null) {
                    removeEntryLocked(entries); // as the file's release takes it out of every epoll set
                }
            } finally {
                lock.unlock();
            }
            LibC.close(readFd);
            LibC.close(writeFd);
        }
    }

    /**
     * One epoll registration of a file on the production profile: a private pipe in the epoll
     * set, readable while the file is outdated, written on each bump unless {@link #deaf}.
     */
    private static final class EpollEntry {
        final int epfd;
        final int readFd;
        final int writeFd;
        /** Added while the file was outdated: the driver's poll did not put it on the wait queue. */
        final boolean deaf;
        /** Under lock: a byte is in the pipe (always, for a deaf entry). */
        boolean full;
        EpollEntry next;

        EpollEntry(int epfd, int readFd, int writeFd, boolean deaf) {
            this.epfd = epfd;
            this.readFd = readFd;
            this.writeFd = writeFd;
            this.deaf = deaf;
        }
    }

    /**
     * A pipe of the simulation that could not be written or read: fail loudly (the caller
     * gets the errno) rather than go on with a simulation that no longer matches the driver.
     */
    private static void check(String call, long result) {
        if (result != 1) {
            throw new ErrnoException(call, result < 0 ? LibC.errno() : Errno.EAGAIN);
        }
    }
}
