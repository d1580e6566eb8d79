/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.util.Optional;
import java.util.function.UnaryOperator;

import dev.sysgenid.internal.DeviceBackend;
import dev.sysgenid.internal.DeviceFile;
import dev.sysgenid.internal.SimulatedKernel;

/**
 * A device over a simulated kernel whose every file a test wraps (in a {@link ForwardingFile}
 * that changes the calls it needs): for what the simulation itself does not model, a refused
 * ioctl, a hook after an epoll ADD. Reports no counts, as the production driver does not.
 */
class WrappedKernelDevice extends BackedDevice {

    final SimulatedKernel kernel;

    WrappedKernelDevice(SimulatedKernel kernel, String name, UnaryOperator<DeviceFile> wrap) {
        super(new WrappingBackend(kernel, wrap), name);
        this.kernel = kernel;
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
        return new DriverInfo(kernel.profile(), Optional.empty(), true);
    }

    private record WrappingBackend(SimulatedKernel kernel, UnaryOperator<DeviceFile> wrap) implements DeviceBackend {
        @Override
        public DeviceFile open() {
            return wrap.apply(kernel.open());
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
