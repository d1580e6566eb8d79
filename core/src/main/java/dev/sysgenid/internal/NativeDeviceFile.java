/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

/** A {@link DeviceFile} that is an fd of the real {@code /dev/sysgenid}, opened non-blocking. */
public final class NativeDeviceFile implements DeviceFile {

    private final int fd;

    /** Takes ownership of {@code fd}, which must be open {@code O_RDWR | O_NONBLOCK}. */
    public NativeDeviceFile(int fd) {
        this.fd = fd;
    }

    @Override
    public int pollFd() {
        return fd;
    }

    @Override
    public long read(int bufferSize) {
        if (bufferSize > 4) {
            bufferSize = 4;
        }
        int[] buf = new int[1];
        long n = LibC.read(fd, buf, bufferSize);
        if (n < 0) {
            return -LibC.errno();
        }
        return n == 0 ? 0 : Integer.toUnsignedLong(buf[0]);
    }

    @Override
    public long read(int[] scratch) {
        long n = LibC.read(fd, scratch, 4);
        return n < 0 ? -LibC.errno() : Integer.toUnsignedLong(scratch[0]);
    }

    @Override
    public int write(int generation, int byteCount) {
        int[] buf = {generation, 0};
        long n = LibC.write(fd, buf, byteCount);
        return n < 0 ? -LibC.errno() : 0;
    }

    @Override
    public int ioctl(long request, long arg) {
        return LibC.ioctl(fd, request, arg) < 0 ? -LibC.errno() : 0;
    }

    @Override
    public void close() {
        LibC.close(fd);
    }
}
