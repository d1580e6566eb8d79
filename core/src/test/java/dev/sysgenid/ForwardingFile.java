/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import dev.sysgenid.internal.DeviceFile;

/** A device file that hands every call to another: a test overrides the calls it changes. */
class ForwardingFile implements DeviceFile {

    private final DeviceFile file;

    ForwardingFile(DeviceFile file) {
        this.file = file;
    }

    @Override
    public int pollFd() {
        return file.pollFd();
    }

    @Override
    public long read(int bufferSize) {
        return file.read(bufferSize);
    }

    @Override
    public int write(int generation, int byteCount) {
        return file.write(generation, byteCount);
    }

    @Override
    public int ioctl(long request, long arg) {
        return file.ioctl(request, arg);
    }

    @Override
    public int epollCtl(int epfd, int op, long event) {
        return file.epollCtl(epfd, op, event);
    }

    @Override
    public void close() {
        file.close();
    }
}
