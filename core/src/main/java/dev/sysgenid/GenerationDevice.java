/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executor;

import dev.sysgenid.internal.Syscalls;

/**
 * The entry point: a System Generation ID device, real ({@code /dev/sysgenid}) or simulated.
 *
 * <pre>{@code
 * try (GenerationDevice device = GenerationDevice.openOrSimulated(GenerationDevice.DEFAULT_PATH)) {
 *     GenerationProbe probe = device.mapProbe();          // one load per check, for hot paths
 *     int seededAt = probe.generation();
 *     LoopRegistration reg = device.watch(true, executor,  // one tracked watcher on the device's loop
 *             (r, gen) -> { rekey(); r.acknowledge(gen); });
 * }
 * }</pre>
 *
 * <p>Guarantees: every watcher, overseer and probe it hands out is independent and thread-safe;
 * {@link #loop()} is one epoll thread per device, started on first use (and again after a loop
 * that ended: closed, or failed) and stopped by {@link #close()}, which also releases what the device itself holds (the watchers, overseers and
 * probes handed out stay the caller's to close). Errors are {@link SysgenidException}s whose
 * messages say what to do.
 */
public interface GenerationDevice extends AutoCloseable {

    /** Where the sysgenid kernel module creates its node. */
    Path DEFAULT_PATH = Path.of("/dev/sysgenid");

    /**
     * Opens {@link #DEFAULT_PATH}.
     *
     * @return the device
     */
    static GenerationDevice open() {
        return open(DEFAULT_PATH);
    }

    /**
     * Opens the real device at {@code path}; checks that it opens read-write and answers the
     * sysgenid ioctls.
     *
     * @param path the device node
     * @return the device, the caller's to close
     * @throws DeviceAbsentException if there is no such node (module not loaded)
     * @throws DevicePermissionException if this process may not open it (see the udev rule)
     * @throws NotADeviceException if the path is not a sysgenid device
     */
    static GenerationDevice open(Path path) {
        return NativeGenerationDevice.open(path);
    }

    /**
     * Looks at {@code path} without keeping anything open.
     *
     * @param path the device node
     * @return what is there
     */
    static DeviceStatus status(Path path) {
        return NativeGenerationDevice.status(path);
    }

    /**
     * How this JVM makes the data path's system calls (the acknowledgement's write, the loop's
     * epoll_wait, the fallback read): {@code "java.lang.foreign"} on JDK 22 and later, {@code
     * "JNA"} before. For status output and diagnostics; nothing else changes with it.
     *
     * @return {@code "java.lang.foreign"} or {@code "JNA"}
     */
    static String systemCallInterface() {
        return Syscalls.IMPLEMENTATION;
    }

    /**
     * A new simulated device at generation 0, with the trigger capability granted.
     *
     * @return the device
     */
    static SimulatedDevice simulated() {
        return SimulatedDevice.create();
    }

    /**
     * The real device if {@code path} exists, the simulated one if it does not. Any other
     * problem (permission, not a device) is thrown, never papered over. Check {@link
     * #isSimulated()} and say which one is in use.
     *
     * @param path the device node
     * @return the device, the caller's to close
     */
    static GenerationDevice openOrSimulated(Path path) {
        if (status(path) == DeviceStatus.ABSENT) {
            return simulated();
        }
        return open(path);
    }

    /** {@return the device path, or {@code "simulated"}} */
    String name();

    /** {@return true for the in-JVM simulated device} */
    boolean isSimulated();

    /**
     * Opens a new watcher (one file descriptor; two, a pipe, on the simulated device), untracked,
     * up to date with the current generation.
     *
     * @return the watcher, the caller's to close
     */
    Watcher openWatcher();

    /**
     * The common case in one call: opens a watcher, turns tracking on if {@code tracked}, and
     * registers it with {@link #loop()}, which calls {@code listener} on {@code executor} for
     * every change from now on (see {@link EpollLoop#register}). The registration owns the
     * watcher: closing it ends both.
     *
     * <p>All or nothing: if any step fails (no file descriptor left, tracking refused, the loop
     * cannot start or has ended, the device is closed), the watcher it opened is closed and
     * untracked before the error is thrown, and the listener is never called.
     *
     * @param tracked whether the overseer's wait counts this watcher until it acknowledges each
     *        change (for a service that must re-key before a restore completes)
     * @param executor where {@code listener} runs (its {@code execute} is called on the loop
     *        thread and must not block; {@code Runnable::run} runs the listener there itself)
     * @param listener told of every change, one call at a time until each is acknowledged
     * @return the registration, the caller's to close
     * @throws FileLimitException if no file descriptor is left for the watcher or the loop
     * @throws WatcherClosedException if this device is closed
     */
    LoopRegistration watch(boolean tracked, Executor executor, GenerationListener listener);

    /**
     * Opens an overseer (its own file descriptor) for TRIGGER and WAIT_WATCHERS.
     *
     * @return the overseer, the caller's to close
     */
    Overseer overseer();

    /**
     * Maps the counter page read-only for in-line checks.
     *
     * @return the probe, the caller's to close
     */
    GenerationProbe mapProbe();

    /**
     * The device's epoll loop, started on first call; a loop that has ended (closed, or failed:
     * its registrations were told why) is replaced by a new one.
     *
     * @return the loop, owned by this device (closed with it)
     */
    EpollLoop loop();

    /** {@return the current generation (one load from a page this device keeps mapped)} */
    int currentGeneration();

    /**
     * The generation and the tracked and outdated watcher counts, as the driver reports them;
     * empty where the driver does not report them (the production driver exports no sysfs
     * attributes: see {@link #driver()}). Nothing else depends on them: watchers, the loop,
     * TRIGGER and the overseer's wait work the same either way.
     *
     * @return the counts, or empty where the driver does not report them
     */
    Optional<WatcherCounts> counts();

    /** {@return which driver serves this device (detected once, at open), for status output and advice} */
    DriverInfo driver();

    /**
     * Stops the loop (closing every watcher registered with it) and releases the device's own
     * resources. Watchers, overseers and probes opened before and not registered with the loop
     * keep working until they are closed; the closed device opens, maps (and, simulated, bumps)
     * nothing more: that is a {@link WatcherClosedException}.
     */
    @Override
    void close();
}
