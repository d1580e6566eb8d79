/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

/** A {@link DeviceFile} that is an fd of the real {@code /dev/sysgenid}, opened non-blocking. */
public final class NativeDeviceFile implements DeviceFile {

    private final int fd;
    private final NativeScratch scratch;

    /**
     * Takes ownership of {@code fd}, which must be open {@code O_RDWR | O_NONBLOCK}; reads and
     * writes go through {@code scratch}, the backend's per-thread buffers.
     */
    NativeDeviceFile(int fd, NativeScratch scratch) {
        this.fd = fd;
        this.scratch = scratch;
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
        NativeScratch.Slot slot = scratch.slot();
        long n = Syscalls.read(slot.callState, fd, slot.address, bufferSize);
        if (n < 0) {
            return n;
        }
        return n == 0 ? 0 : Integer.toUnsignedLong(slot.getInt());
    }

    @Override
    public int write(int generation, int byteCount) {
        if (byteCount > 8) {
            byteCount = 8;
        }
        NativeScratch.Slot slot = scratch.slot();
        slot.putInt(generation);
        if (byteCount > 4) {
            slot.putHighInt(0);
        }
        long n = Syscalls.write(slot.callState, fd, slot.address, byteCount);
        return n < 0 ? (int) n : 0;
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
