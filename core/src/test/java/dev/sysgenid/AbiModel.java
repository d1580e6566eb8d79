/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import dev.sysgenid.internal.Errno;
import dev.sysgenid.internal.LibC;

/**
 * The reference model of {@code docs/sysgenid-abi.md}: what a device must answer, written from
 * the ABI's table alone (not from either implementation). The model-based tests run random
 * operations on a device and on this model side by side and compare every answer.
 *
 * <p>Files live in numbered slots. Besides the ABI's state (the counter; per file: outdated,
 * tracked) it keeps, per file, whether an epoll edge is pending: the driver wakes every poller
 * on every bump, so an edge-triggered epoll reports a file once per look after one or more
 * bumps, if it is still outdated when it looks.
 */
final class AbiModel {

    /** One open file's state. */
    static final class File {
        boolean outdated;
        boolean tracked;
        boolean edgePending;
    }

    private final File[] files;
    private int generation;

    AbiModel(int generation, int slots) {
        this.generation = generation;
        this.files = new File[slots];
    }

    int generation() {
        return generation;
    }

    int slots() {
        return files.length;
    }

    boolean isOpen(int slot) {
        return files[slot] != null;
    }

    File file(int slot) {
        return files[slot];
    }

    int tracked() {
        int n = 0;
        for (File f : files) {
            n += f != null && f.tracked ? 1 : 0;
        }
        return n;
    }

    int outdatedTracked() {
        int n = 0;
        for (File f : files) {
            n += f != null && f.tracked && f.outdated ? 1 : 0;
        }
        return n;
    }

    /** open: up to date with the current counter, untracked. */
    void open(int slot) {
        files[slot] = new File();
    }

    /** close: the file stops counting. */
    void close(int slot) {
        files[slot] = null;
    }

    /** read(2) of {@code bufferSize} bytes, non-blocking: the counter, 0, or a negative errno. */
    long read(int slot, int bufferSize) {
        if (bufferSize == 0) {
            return 0;
        }
        if (bufferSize < 4) {
            return -Errno.EINVAL;
        }
        return files[slot].outdated ? Integer.toUnsignedLong(generation) : -Errno.EAGAIN;
    }

    /** write(2) of {@code value} in {@code byteCount} bytes: 0 (acknowledged) or a negative errno. */
    int write(int slot, int value, int byteCount) {
        if (byteCount != 4) {
            return -Errno.ENOBUFS;
        }
        if (value != generation) {
            return -Errno.EINVAL;
        }
        files[slot].outdated = false;
        return 0;
    }

    void setTracking(int slot, boolean on) {
        files[slot].tracked = on;
    }

    /** max(min, current + 1) in unsigned 32-bit arithmetic, and never the current value. */
    static int nextGeneration(int current, int min) {
        int next = current + 1;
        return Integer.compareUnsigned(min, next) > 0 && min != current ? min : next;
    }

    /** TRIGGER: every file outdated, every poller woken. Returns the new counter. */
    int trigger(int min) {
        generation = nextGeneration(generation, min);
        for (File f : files) {
            if (f != null) {
                f.outdated = true;
                f.edgePending = true;
            }
        }
        return generation;
    }

    /**
     * WAIT_WATCHERS when it does not have to block, or when it blocks until its timeout: EINTR
     * if the caller is outdated, 0 if no tracked file is, else ETIME.
     */
    int waitWatchers(int slot) {
        if (files[slot].outdated) {
            return -Errno.EINTR;
        }
        return outdatedTracked() == 0 ? 0 : -Errno.ETIME;
    }

    /** poll(2) revents asked for every input and output bit. */
    int revents(int slot) {
        return files[slot].outdated ? EdgeCounter.POLLIN | EdgeCounter.POLLRDNORM : 0;
    }

    /** One look of an edge-triggered epoll: whether it reports the file; the pending edge is used up. */
    int takeEdge(int slot) {
        File f = files[slot];
        int n = f.edgePending && f.outdated ? 1 : 0;
        f.edgePending = false;
        return n;
    }

    /** mmap(2) of the counter page: 0 for a mapping, else the negative errno. */
    static int map(long length, int prot, long offset, long pageSize) {
        if (offset != 0 || length <= 0 || (length + pageSize - 1) / pageSize != 1) {
            return -Errno.EINVAL;
        }
        return (prot & (LibC.PROT_WRITE | LibC.PROT_EXEC)) != 0 ? -Errno.EPERM : 0;
    }
}
