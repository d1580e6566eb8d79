/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.util.Optional;

import dev.sysgenid.internal.ErrnoException;
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
 * <p>It behaves as this project's module by default, or as the production driver (Amazon
 * Linux's microVM kernels) with {@link DriverProfile#PRODUCTION}: a signed counter and
 * {@code min_gen}, TRIGGER allowed to a user namespace's root ({@link #setNamespaceRoot}), a
 * poll of an outdated file that does not register it for later wake-ups, and no counts.
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

    /**
     * A simulated device at generation 0 that behaves as this project's module.
     *
     * @return the device, the caller's to close
     */
    public static SimulatedDevice create() {
        return create(0, DriverProfile.OURS);
    }

    /**
     * A simulated device starting at {@code generation} (to test wrap-around, say), as this
     * project's module.
     *
     * @param generation the counter's first value
     * @return the device, the caller's to close
     */
    public static SimulatedDevice create(int generation) {
        return create(generation, DriverProfile.OURS);
    }

    /**
     * A simulated device at generation 0 that behaves as the driver {@code profile} names.
     *
     * @param profile the driver to behave as
     *
     * @return the device, the caller's to close
     */
    public static SimulatedDevice create(DriverProfile profile) {
        return create(0, profile);
    }

    /**
     * A simulated device starting at {@code generation} that behaves as the driver {@code
     * profile} names.
     *
     * @param generation the counter's first value (on the production profile, whose counter is
     *         signed, 0x80000000 or more is a negative counter, which TRIGGER can set there)
     * @param profile the driver to behave as
     * @return the device, the caller's to close
     * @throws IllegalArgumentException for {@link DriverProfile#UNKNOWN} (a driver that is not
     *         known cannot be played: pick {@code OURS} or {@code PRODUCTION})
     * @throws FileLimitException if no file descriptor is left for its counter page (a memfd)
     * @throws SysgenidException if the counter page cannot be made for another reason
     */
    public static SimulatedDevice create(int generation, DriverProfile profile) {
        java.util.Objects.requireNonNull(profile, "profile");
        if (profile == DriverProfile.UNKNOWN) {
            throw new IllegalArgumentException("a simulated device plays a known driver: DriverProfile.OURS or"
                    + " DriverProfile.PRODUCTION, not UNKNOWN");
        }
        Failures.load();
        try {
            return new SimulatedDevice(new SimulatedKernel(generation, profile));
        } catch (ErrnoException e) {
            throw Failures.of(e.call() + " for the simulated device's counter page", e.errno());
        }
    }

    /** {@return the driver this device behaves as} */
    public DriverProfile profile() {
        return kernel.profile();
    }

    /**
     * A restore as the hypervisor signals it: the counter moves by one.
     *
     * @return the new generation
     * @throws WatcherClosedException after {@link #close()}
     * @throws SysgenidException if the simulation could not signal a file (a pipe of its own
     *         failed): it stops rather than go on unlike the driver
     */
    public int bump() {
        long g;
        try {
            g = kernel.bumpUnlessClosed(0);
        } catch (ErrnoException e) {
            throw Failures.of(e.call() + " in the simulated device's bump", e.errno());
        }
        if (g < 0) {
            throw closedError();
        }
        return (int) g;
    }

    /**
     * Grants or withdraws the capability TRIGGER needs in the initial user namespace (granted
     * by default).
     *
     * @param granted true to grant, false to withdraw
     */
    public void setTriggerCapability(boolean granted) {
        kernel.setTriggerCapability(granted);
    }

    /**
     * Whether the caller is root in a user namespace of its own (a container's root, without the
     * capability in the initial namespace). The production driver allows TRIGGER to such a
     * caller; ours does not.
     *
     * @param root true for a caller that is root in its own user namespace
     */
    public void setNamespaceRoot(boolean root) {
        kernel.setNamespaceRoot(root);
    }

    @Override
    public boolean isSimulated() {
        return true;
    }

    /** Empty on the production profile, as with that driver; see {@link #kernelCounts()}. */
    @Override
    public Optional<WatcherCounts> counts() {
        return profile() == DriverProfile.PRODUCTION ? Optional.empty() : Optional.of(kernelCounts());
    }

    /**
     * {@return the counts the simulation keeps on either profile, whether or not the device
     * reports them through {@link #counts()}} For tests that check what a driver would count.
     */
    public WatcherCounts kernelCounts() {
        return new WatcherCounts(kernel.generation(), kernel.trackedWatchers(), kernel.outdatedWatchers());
    }

    @Override
    public DriverInfo driver() {
        return new DriverInfo(profile(), Optional.empty(), true);
    }
}
