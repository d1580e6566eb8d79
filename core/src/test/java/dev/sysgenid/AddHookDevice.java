/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.util.Optional;

import dev.sysgenid.internal.DeviceBackend;
import dev.sysgenid.internal.DeviceFile;
import dev.sysgenid.internal.LibC;
import dev.sysgenid.internal.SimulatedKernel;

/**
 * The simulated production driver with a hook that runs on the adding thread right after each
 * successful EPOLL_CTL_ADD of one of its files: for tests that put an acknowledgement between
 * the epoll loop's ADD and its look at the watcher, the one window no other means reaches.
 */
final class AddHookDevice extends BackedDevice {

    private final SimulatedKernel kernel;

    private AddHookDevice(SimulatedKernel kernel, Runnable afterAdd) {
        super(new HookedBackend(kernel, afterAdd), "add-hook");
        this.kernel = kernel;
    }

    /** At generation 0; {@code afterAdd} runs after every ADD of a file of this device. */
    static AddHookDevice create(Runnable afterAdd) {
        return new AddHookDevice(new SimulatedKernel(0, DriverProfile.PRODUCTION), afterAdd);
    }

    int bump() {
        return (int) kernel.bumpUnlessClosed(0);
    }

    @Override
    public boolean isSimulated() {
        return true;
    }

    @Override
    public Optional<WatcherCounts> counts() {
        return Optional.empty();
    }

    @Override
    public DriverInfo driver() {
        return new DriverInfo(DriverProfile.PRODUCTION, Optional.empty(), true);
    }

    private record HookedBackend(SimulatedKernel kernel, Runnable afterAdd) implements DeviceBackend {
        @Override
        public DeviceFile open() {
            DeviceFile f = kernel.open();
            return new DeviceFile() {
                @Override
                public int pollFd() {
                    return f.pollFd();
                }

                @Override
                public long read(int bufferSize) {
                    return f.read(bufferSize);
                }

                @Override
                public int write(int generation, int byteCount) {
                    return f.write(generation, byteCount);
                }

                @Override
                public int ioctl(long request, long arg) {
                    return f.ioctl(request, arg);
                }

                @Override
                public int epollCtl(int epfd, int op, long event) {
                    int r = f.epollCtl(epfd, op, event);
                    if (r == 0 && op == LibC.EPOLL_CTL_ADD) {
                        afterAdd.run();
                    }
                    return r;
                }

                @Override
                public void close() {
                    f.close();
                }
            };
        }

        @Override
        public long map(long length, int prot, int flags, long offset) {
            return kernel.map(length, prot, flags, offset);
        }

        @Override
        public void close() {
            kernel.close();
        }
    }
}
