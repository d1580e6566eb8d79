/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import dev.sysgenid.internal.SimulatedKernel;

/**
 * An in-JVM generation device with the driver's semantics, for tests and for machines without
 * {@code /dev/sysgenid}. It drives the same {@link Watcher}, {@link EpollLoop}, {@link Overseer}
 * and {@link GenerationProbe} code as the real device, with real file descriptors: each watcher
 * is backed by a pipe that is readable exactly while it is outdated and signals every bump,
 * and the counter page is a shared memfd mapping. The contract suite checks it against the
 * kernel module.
 *
 * <p>Use it to test your own re-keying code: {@link #bump()} is what the hypervisor does on a
 * restore; {@link #setTriggerCapability(boolean)} models running without
 * {@code CAP_CHECKPOINT_RESTORE}. Thread-safe.
 *
 * <p>After {@link #close()}, as with the real device, the watchers, overseers and probes opened
 * before keep working until they are closed (the simulated kernel lives until the last of
 * them is); the device itself opens, maps and bumps nothing more: that is a {@link
 * WatcherClosedException}.
 */
public final class SimulatedDevice extends BackedDevice {

    private final SimulatedKernel kernel;

    private SimulatedDevice(SimulatedKernel kernel) {
        super(kernel, "simulated");
        this.kernel = kernel;
    }

    /** A simulated device at generation 0. */
    public static SimulatedDevice create() {
        return create(0);
    }

    /** A simulated device starting at {@code generation} (to test wrap-around, say). */
    public static SimulatedDevice create(int generation) {
        return new SimulatedDevice(new SimulatedKernel(generation));
    }

    /**
     * A restore as the hypervisor signals it: the counter moves by one. Returns the new generation.
     *
     * @throws WatcherClosedException after {@link #close()}
     */
    public int bump() {
        long g = kernel.bumpUnlessClosed(0);
        if (g < 0) {
            throw closedError();
        }
        return (int) g;
    }

    /** Grants or withdraws the capability TRIGGER needs (granted by default). */
    public void setTriggerCapability(boolean granted) {
        kernel.setTriggerCapability(granted);
    }

    @Override
    public boolean isSimulated() {
        return true;
    }

    @Override
    public WatcherCounts counts() {
        return new WatcherCounts(kernel.generation(), kernel.trackedWatchers(), kernel.outdatedWatchers());
    }
}
