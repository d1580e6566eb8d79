/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import dev.sysgenid.internal.DeviceFile;
import dev.sysgenid.internal.Errno;

/**
 * A device file without a kernel behind it: every acknowledgement is accepted, reads find
 * nothing new, and it counts its closes. Enough for the protocols above the file.
 */
final class FakeDeviceFile implements DeviceFile {

    volatile int closes;

    @Override
    public int pollFd() {
        return -1;
    }

    @Override
    public long read(int bufferSize) {
        return -Errno.EAGAIN;
    }

    @Override
    public int write(int generation, int byteCount) {
        return 0;
    }

    @Override
    public int ioctl(long request, long arg) {
        return 0;
    }

    @Override
    @SuppressWarnings("NonAtomicOperationOnVolatileField")
    public synchronized void close() {
        closes++;
    }

    /** A watcher on a fresh fake file. */
    static Watcher watcher(FakeDeviceFile file) {
        return new Watcher(file, "fake", null, "watcher");
    }
}
