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
 * counter page, in one of three explicit {@link ProtectionState}s fixed at open.
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
    private final boolean nativeAccessFailed;

    private GenerationGuard(ProtectionState state, String deviceName, GenerationProbe probe,
                            GenerationDevice device, boolean ownsDevice, SysgenidException failure) {
        this(state, deviceName, probe, device, ownsDevice, failure, false);
    }

    private GenerationGuard(ProtectionState state, String deviceName, GenerationProbe probe, GenerationDevice device,
                            boolean ownsDevice, SysgenidException failure, boolean nativeAccessFailed) {
        this.nativeAccessFailed = nativeAccessFailed;
        this.state = state;
        this.deviceName = deviceName;
        this.probe = probe;
        this.device = device;
        this.ownsDevice = ownsDevice;
        this.failure = failure;
    }

    /**
     * Opens the device at {@code path} and maps its counter; the guard owns the device and
     * closes it. Never throws. The policy (AWS-LC's): {@link ProtectionState#UNSUPPORTED} only
     * when nothing exists at {@code path} (checked with a stat before any native code is
     * loaded); a path that exists but cannot be opened or mapped for any reason (permission, no
     * driver behind the node, not a sysgenid device, native access blocked or not linkable) is
     * {@link ProtectionState#FAILED}.
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
            // a noexec temporary directory, another JNA first on the class path), or not yet:
            // JNA is being initialised further up this very thread (see ReseedCoordinator).
            return new GenerationGuard(ProtectionState.FAILED, name, null, null, false,
                    new SysgenidException("native access to " + name + " failed (" + e + "): allow native access"
                            + " (--enable-native-access=ALL-UNNAMED), give JNA an executable temporary directory"
                            + " (-Djna.tmpdir=...), and keep one JNA version on the class path", 0, e), true);
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
     * @throws SysgenidException if the counter page cannot be mapped
     */
    public static GenerationGuard watching(GenerationDevice device) {
        Objects.requireNonNull(device, "device");
        return new GenerationGuard(ProtectionState.ACTIVE, device.name(), device.mapProbe(), device, false, null);
    }

    /**
     * The stand-in answered while the real guard is being opened on the same thread (see
     * {@link ReseedCoordinator}): unsupported, generation 0.
     */
    static GenerationGuard provisional() {
        return new GenerationGuard(ProtectionState.UNSUPPORTED, "(opening)", null, null, false,
                new SysgenidException("the device is being opened", 0));
    }

    /**
     * True if the open failed in native linking, not at the device: possibly only because the
     * native layer was still being initialised on this thread (see ReseedCoordinator).
     */
    boolean nativeAccessFailed() {
        return nativeAccessFailed;
    }

    /** Which of the three states this guard is in; fixed for its life. */
    public ProtectionState state() {
        return state;
    }

    /**
     * The current generation: one load of the mapped counter when {@link ProtectionState#ACTIVE};
     * 0, forever, otherwise. Compare with {@code ==} only (it wraps).
     */
    public int generation() {
        GenerationProbe p = probe;
        return p != null ? p.generation() : 0;
    }

    /** The device path, or {@code "simulated"}. */
    public String deviceName() {
        return deviceName;
    }

    /** Why the guard is not active: the typed error, whose message says what to do. */
    public Optional<SysgenidException> failure() {
        return Optional.ofNullable(failure);
    }

    /** The device, when {@link ProtectionState#ACTIVE}: for watchers on its epoll loop. */
    public Optional<GenerationDevice> device() {
        return Optional.ofNullable(device);
    }

    /** One line for a log: the state and what it means for the generators. */
    public String describe() {
        return switch (state) {
            case ACTIVE -> "snapshot-safe: watching the generation counter of " + deviceName
                    + " (generation " + Integer.toUnsignedString(generation()) + "); generators reseed"
                    + " from the OS when it moves";
            case UNSUPPORTED -> "not snapshot-safe: no generation device at " + deviceName
                    + "; SecureRandom behaves exactly as without this provider (" + failure.getMessage() + ")";
            case FAILED -> "degraded: " + deviceName + " is present but unusable, so generators reseed"
                    + " from the OS on every call until this is fixed: " + failure.getMessage();
        };
    }

    /** Unmaps the probe, and closes the device if this guard opened it; idempotent. */
    @Override
    public void close() {
        if (probe != null) {
            probe.close();
        }
        if (ownsDevice) {
            device.close();
        }
    }

    @Override
    public String toString() {
        return "GenerationGuard[" + deviceName + ", " + state + "]";
    }
}
