/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

import dev.sysgenid.DeviceAbsentException;
import dev.sysgenid.GenerationDevice;
import dev.sysgenid.GenerationProbe;
import dev.sysgenid.SysgenidException;

/**
 * The question every snapshot-safe generator asks before it produces output: "has the system
 * generation moved since I was seeded?" — answered with one load of the device's mapped
 * counter page, in one of three explicit {@link ProtectionState}s fixed at open (a closed guard
 * is {@code FAILED}).
 *
 * <p>Guarantees: opening never throws; a device that is absent gives
 * {@link ProtectionState#UNSUPPORTED}, one that is present but unusable gives
 * {@link ProtectionState#FAILED} with the typed error in {@link #failure()}.
 * {@link #generation()} is one acquire load in the {@code ACTIVE} state and a constant
 * otherwise; a bump completed by the kernel is visible to the next call on any thread. It does
 * not close the window between a restore and the bump that reports it (the hypervisor's
 * notification is asynchronous): the overseer's wait exists for that. Thread-safe.
 */
public final class GenerationGuard implements AutoCloseable {

    private final ProtectionState state;
    private final String deviceName;
    private final GenerationProbe probe;
    private final GenerationDevice device;
    private final boolean ownsDevice;
    private final SysgenidException failure;
    /** The generation when the guard was opened (0 unless ACTIVE). */
    private final int generationAtOpen;
    private volatile boolean closed;
    /** Whether this is the guard of a provider that registered no services (see {@link #unregistered}). */
    private boolean noServices;

    private GenerationGuard(ProtectionState state, String deviceName, GenerationProbe probe,
                            GenerationDevice device, boolean ownsDevice, SysgenidException failure) {
        this.state = state;
        this.deviceName = deviceName;
        this.probe = probe;
        this.device = device;
        this.ownsDevice = ownsDevice;
        this.failure = failure;
        this.generationAtOpen = probe != null ? probe.generation() : 0;
    }

    /**
     * Opens the device at {@code path} and maps its counter; the guard owns the device and
     * closes it. Never throws. The policy (AWS-LC's): {@link ProtectionState#UNSUPPORTED} only
     * when nothing exists at {@code path} (checked with a stat before any native code is
     * loaded); a path that exists but cannot be opened or mapped for any reason (permission, no
     * driver behind the node, not a sysgenid device, native access blocked or not linkable) is
     * {@link ProtectionState#FAILED}.
     *
     * @param path the device node
     * @return the guard, in one of the three states; the caller's to close
     */
    public static GenerationGuard open(Path path) {
        String name = path.toString();
        if (Files.notExists(path)) {
            return new GenerationGuard(ProtectionState.UNSUPPORTED, name, null, null, false,
                    new DeviceAbsentException(name, 2)); // ENOENT
        }
        GenerationDevice opened;
        try {
            opened = GenerationDevice.open(path);
        } catch (DeviceAbsentException e) {
            // the path exists (checked above), so ENOENT/ENODEV/ENXIO here means a node with no
            // driver behind it, or one that vanished in between: not "no device"
            return new GenerationGuard(ProtectionState.FAILED, name, null, null, false,
                    new SysgenidException(name + " exists but no driver answers for it (errno " + e.errno()
                            + "): load the sysgenid module, or point sysgenid.device at its node", e.errno(), e));
        } catch (SysgenidException e) {
            return new GenerationGuard(ProtectionState.FAILED, name, null, null, false, e);
        } catch (LinkageError | RuntimeException e) {
            // Native code could not be linked or was refused (--illegal-native-access=deny,
            // a noexec temporary directory, another JNA first on the class path).
            return new GenerationGuard(ProtectionState.FAILED, name, null, null, false,
                    new SysgenidException("native access to " + name + " failed (" + e + "): allow native access"
                            + " (--enable-native-access=ALL-UNNAMED), give JNA an executable temporary directory"
                            + " (-Djna.tmpdir=...), and keep one JNA version on the class path", 0, e));
        }
        try {
            return new GenerationGuard(ProtectionState.ACTIVE, name, opened.mapProbe(), opened, true, null);
        } catch (SysgenidException e) {
            opened.close();
            return new GenerationGuard(ProtectionState.FAILED, name, null, null, false, e);
        }
    }

    /**
     * A guard on a device the caller already holds (a simulated one in tests, or the one an
     * application opened for its own watchers). The caller keeps ownership of the device: this
     * guard's {@link #close()} unmaps only its own probe.
     *
     * @param device the device, which stays the caller's
     * @return an {@link ProtectionState#ACTIVE} guard; the caller's to close
     * @throws SysgenidException if the counter page cannot be mapped
     */
    public static GenerationGuard watching(GenerationDevice device) {
        Objects.requireNonNull(device, "device");
        return new GenerationGuard(ProtectionState.ACTIVE, device.name(), device.mapProbe(), device, false, null);
    }

    /**
     * Like {@link #open(Path)}, for a provider that registered its services because something
     * was at {@code path} when it was loaded: if nothing is there now (removed, or not yet
     * recreated), that is {@link ProtectionState#FAILED}, not {@code UNSUPPORTED}: the
     * services exist, so their generators must reseed on every call rather than run unprotected.
     */
    static GenerationGuard openExpected(Path path) {
        GenerationGuard g = open(path);
        if (g.state() != ProtectionState.UNSUPPORTED) {
            return g;
        }
        return failed(path.toString(), new SysgenidException(path + " existed when the SnapshotSafe provider was loaded"
                + " but is gone now: load the sysgenid module (or recreate the node); the open is retried", 2));
    }

    /** A guard in {@link ProtectionState#FAILED} for {@code failure}. */
    static GenerationGuard failed(String deviceName, SysgenidException failure) {
        return new GenerationGuard(ProtectionState.FAILED, deviceName, null, null, false, failure);
    }

    /**
     * The guard answered while the device is being opened (see {@link ReseedCoordinator}):
     * {@link ProtectionState#OPENING}, in which generators reseed from the OS before every
     * output (as in {@code FAILED}) until the open has finished; generation 0.
     */
    static GenerationGuard pending(String deviceName) {
        return new GenerationGuard(ProtectionState.OPENING, deviceName, null, null, false,
                new SysgenidException(deviceName + " is still being opened", 0));
    }

    /**
     * The guard of a provider that registered no services because nothing was at
     * {@code path} when it was loaded: {@link ProtectionState#UNSUPPORTED}, for good.
     */
    static GenerationGuard unregistered(Path path) {
        GenerationGuard g = new GenerationGuard(ProtectionState.UNSUPPORTED, path.toString(), null, null, false,
                new DeviceAbsentException(path.toString(), 2));
        g.noServices = true;
        return g;
    }

    /**
     * {@return which of the three states this guard is in: fixed when it is opened, except that a
     * closed guard is {@link ProtectionState#FAILED} (it can no longer see a change, so a
     * generator watching it reseeds before every output)}
     */
    public ProtectionState state() {
        return closed ? ProtectionState.FAILED : state;
    }

    /**
     * {@return the current generation: one load of the mapped counter when {@link
     * ProtectionState#ACTIVE}; 0, forever, otherwise} Compare with {@code ==} only (it wraps).
     */
    public int generation() {
        GenerationProbe p = probe;
        return p != null ? p.generation() : 0;
    }

    /**
     * The generation the counter showed when this guard was opened (0 unless
     * {@link ProtectionState#ACTIVE}): what a seed given before the open is taken to be for.
     */
    int generationAtOpen() {
        return generationAtOpen;
    }

    /** {@return the device path, or {@code "simulated"}} */
    public String deviceName() {
        return deviceName;
    }

    /** {@return why the guard is not active: the typed error, whose message says what to do} */
    public Optional<SysgenidException> failure() {
        if (closed && state == ProtectionState.ACTIVE) {
            return Optional.of(new SysgenidException("this guard on " + deviceName + " was closed: keep it open while"
                    + " generators use it; they reseed from the OS on every call meanwhile", 0));
        }
        return Optional.ofNullable(failure);
    }

    /** {@return the device, when {@link ProtectionState#ACTIVE}: for watchers on its epoll loop} */
    public Optional<GenerationDevice> device() {
        return Optional.ofNullable(device);
    }

    /** {@return one line for a log: the state and what it means for the generators} */
    public String describe() {
        return switch (state()) {
            case ACTIVE -> "snapshot-safe: watching the generation counter of " + deviceName
                    + " (generation " + Integer.toUnsignedString(generation()) + "); generators reseed"
                    + " from the OS when it moves";
            case UNSUPPORTED -> "not snapshot-safe: no generation device at " + deviceName
                    + (noServices ? " (it did not exist when the provider was loaded, so the provider registered no"
                            + " services; a device that appears later is not used: restart the JVM after loading the"
                            + " module)" : "")
                    + "; SecureRandom behaves exactly as without this provider (" + failure.getMessage() + ")";
            case FAILED -> "degraded: " + deviceName + " is present but unusable, so generators reseed"
                    + " from the OS on every call until this is fixed: " + failure().orElseThrow().getMessage();
            case OPENING -> "opening: the generation device is still being opened (slowly: it has not finished"
                    + " yet), so generators reseed from the OS on every call until it has; ask again later";
        };
    }

    /**
     * Unmaps the probe, and closes the device if this guard opened it; idempotent. From then on
     * the guard is {@link ProtectionState#FAILED} (see {@link #state()}).
     */
    @Override
    public void close() {
        closed = true;
        if (probe != null) {
            probe.close();
        }
        if (ownsDevice) {
            device.close();
        }
    }

    @Override
    public String toString() {
        return "GenerationGuard[" + deviceName + ", " + state() + "]";
    }
}
