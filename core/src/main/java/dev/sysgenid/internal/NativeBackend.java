/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

/** The real device node: each {@link #open()} is an open(2) of the path. */
public final class NativeBackend implements DeviceBackend {

    private final String path;
    private final NativeScratch scratch = new NativeScratch();

    public NativeBackend(String path) {
        this.path = path;
    }

    @Override
    public DeviceFile open() {
        int fd = LibC.open(path, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            throw new ErrnoException("open(" + path + ")", LibC.errno());
        }
        return new NativeDeviceFile(fd, scratch);
    }

    @Override
    public long map(long length, int prot, int flags, long offset) {
        int mode = (prot & LibC.PROT_WRITE) != 0 ? LibC.O_RDWR : LibC.O_RDONLY;
        int fd = LibC.open(path, mode | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            return -LibC.errno();
        }
        long addr = LibC.mmap(0, length, prot, flags, fd, offset);
        int errno = LibC.errno();
        LibC.close(fd);
        return addr == LibC.MAP_FAILED ? -errno : addr;
    }

    @Override
    public void close() {
        // nothing held: every file and mapping belongs to its own owner
    }
}
