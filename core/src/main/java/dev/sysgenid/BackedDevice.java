/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.util.Objects;
import java.util.concurrent.Executor;

import dev.sysgenid.internal.DeviceBackend;
import dev.sysgenid.internal.ErrnoException;
import dev.sysgenid.internal.Errno;
import dev.sysgenid.internal.LibC;

/** What the real and the simulated device share: everything above their {@link DeviceBackend}. */
abstract class BackedDevice implements GenerationDevice {

    private final DeviceBackend backend;
    private final String name;
    private final long pageSize = LibC.pageSize();
    private EpollLoop loop; // guarded by this
    private volatile GenerationProbe ownProbe; // written under this
    private volatile boolean closed; // written under this

    BackedDevice(DeviceBackend backend, String name) {
        this.backend = backend;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Watcher openWatcher() {
        return openFile("watcher");
    }

    /** Opens a file of the device; {@code role} names it in its errors ("watcher", "overseer"). */
    private Watcher openFile(String role) {
        ensureOpen();
        try {
            return new Watcher(backend.open(), name, this, role);
        } catch (ErrnoException e) {
            if (closed) {
                throw closedError(); // closed by another thread after ensureOpen: the backend refused
            }
            throw Failures.ofOpen(name, e.errno());
        }
    }

    @Override
    public LoopRegistration watch(boolean tracked, Executor executor, GenerationListener listener) {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(listener, "listener");
        EpollLoop loop = loop(); // first: it maps the page the watcher takes its generation at open from
        Watcher watcher = openWatcher();
        try {
            if (tracked) {
                watcher.setTracking(true);
            }
            return loop.register(watcher, executor, listener);
        } catch (RuntimeException | Error e) {
            watcher.close(); // untracks it too; a registration that failed has closed it already
            throw e;
        }
    }

    @Override
    public Overseer overseer() {
        Watcher own = openFile("overseer");
        long generation = -1; // unknown where the page cannot be mapped: the first catch-up learns it
        try {
            generation = Integer.toUnsignedLong(currentGeneration()); // at or after the open
        } catch (DeviceClosedException closedMeanwhile) {
            own.close();
            throw closedMeanwhile;
        } catch (SysgenidException noPage) {
            // stays unknown
        }
        return new Overseer(own, this, generation);
    }

    @Override
    public GenerationProbe mapProbe() {
        ensureOpen();
        long addr = backend.map(pageSize, LibC.PROT_READ, LibC.MAP_SHARED, 0);
        if (addr < 0 && addr > -4096) {
            if (closed) {
                throw closedError(); // closed by another thread after ensureOpen: the backend refused
            }
            int errno = (int) -addr;
            if (errno == Errno.EACCES || errno == Errno.ENOENT) {
                throw Failures.ofOpen(name, errno);
            }
            throw Failures.of("mmap(" + name + ")", errno);
        }
        return new GenerationProbe(addr, pageSize);
    }

    /** Raw mmap of the counter page, for the contract suite: an address or a negative errno. */
    long mapRaw(long length, int prot, int flags, long offset) {
        return backend.map(length, prot, flags, offset);
    }

    /** The device's loop; one that has ended (closed, or failed) is replaced by a new one. */
    @Override
    public synchronized EpollLoop loop() {
        ensureOpen();
        if (loop == null || loop.hasEnded()) {
            currentGeneration(); // maps the page the loop checks its watchers against
            loop = new EpollLoop(name);
        }
        return loop;
    }

    /**
     * The counter from this device's mapped page for the epoll loop, or -1 if there is none
     * now (not mapped yet, or the device is closing): the loop then reads the fd instead. Never
     * maps, never throws, never blocks.
     */
    long pageCounter() {
        GenerationProbe p = ownProbe;
        if (p == null || p.isClosed()) {
            return -1;
        }
        int g = p.generation();
        return p.isClosed() ? -1 : Integer.toUnsignedLong(g); // closed meanwhile: a frozen page
    }

    @Override
    public int currentGeneration() {
        GenerationProbe p = ownProbe;
        if (p == null || p.isClosed()) {
            synchronized (this) {
                ensureOpen();
                if (ownProbe == null) {
                    ownProbe = mapProbe();
                }
                p = ownProbe;
            }
        }
        return p.generation();
    }

    /**
     * Every caller returns once the loop has stopped (its registrations ended), a second or
     * concurrent one too; the first also releases the page and the backend.
     */
    @Override
    public void close() {
        EpollLoop l;
        GenerationProbe p;
        boolean first;
        synchronized (this) {
            first = !closed;
            closed = true;
            l = loop;
            p = ownProbe;
        }
        if (l != null) {
            l.close(); // waits for the loop thread (unless called on it), whichever caller this is
        }
        if (!first) {
            return;
        }
        if (p != null) {
            p.close();
        }
        backend.close();
    }

    private void ensureOpen() {
        if (closed) {
            throw closedError();
        }
    }

    /** The typed error of any use of this device itself after {@link #close()}. */
    DeviceClosedException closedError() {
        return new DeviceClosedException(name);
    }
}
