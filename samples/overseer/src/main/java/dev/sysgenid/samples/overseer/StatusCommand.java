/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.sysgenid.DevicePermissionException;
import dev.sysgenid.DeviceStatus;
import dev.sysgenid.GenerationDevice;
import dev.sysgenid.WatcherCounts;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code status}: what is at the device path and, when the device is there, its generation and
 * watcher counts (reported as unknown where the driver does not export them: the production
 * driver; that is no error). Exits {@link ExitCode#OK} only when the device is present and usable, with
 * the status of the problem otherwise (absent 2, permission 3, not a device 4), so it doubles
 * as a readiness check ({@code ExecStartPre=sysgenid-overseer status}).
 */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show whether the device is usable, its generation and watcher counts.")
final class StatusCommand implements Callable<Integer> {

    @ParentCommand
    private OverseerCommand root;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        Reporter report = root.reporter(spec.commandLine());
        if (!root.isSimulated()) {
            DeviceStatus status = root.source().status(root.devicePath());
            if (status != DeviceStatus.PRESENT) {
                return reportProblem(report, status);
            }
        }
        try (GenerationDevice device = root.openDevice()) {
            Optional<WatcherCounts> counts = device.counts();
            int generation = counts.map(WatcherCounts::generation).orElseGet(device::currentGeneration);
            String unknown = "unknown (this driver does not report it)";
            JsonObject json = new JsonObject()
                    .put("device", device.name())
                    .put("simulated", device.isSimulated())
                    .put("driver", device.driver().description())
                    .put("state", "present")
                    .putGeneration("generation", generation)
                    .put("countsReported", counts.isPresent());
            counts.ifPresent(c -> json.put("trackedWatchers", c.trackedWatchers()).put("outdatedWatchers", c.outdatedWatchers()));
            report.result(String.join(System.lineSeparator(),
                            "device:            " + device.name() + (device.isSimulated() ? " (in-process)" : ""),
                            "driver:            " + device.driver().description(),
                            "state:             present",
                            "generation:        " + Integer.toUnsignedString(generation),
                            "tracked watchers:  " + counts.map(c -> Integer.toString(c.trackedWatchers())).orElse(unknown),
                            "outdated watchers: " + counts.map(c -> Integer.toString(c.outdatedWatchers())).orElse(unknown)),
                    json);
            return ExitCode.OK.code();
        }
    }

    private Integer reportProblem(Reporter report, DeviceStatus status) {
        ExitCode code = ExitCode.of(status);
        String path = root.devicePath().toString();
        String state = status.name().toLowerCase(Locale.ROOT).replace('_', '-');
        String advice = switch (status) {
            case ABSENT -> "no such node: load the module ('sudo modprobe sysgenid'), or pass --device or --simulated.";
            case PERMISSION_DENIED -> "this user may not open it: install the udev rule '"
                    + DevicePermissionException.UDEV_RULE + "' as /etc/udev/rules.d/60-sysgenid.rules,"
                    + " add the user to the sysgenid group and log in again.";
            case NOT_A_DEVICE -> "it opens but answers no sysgenid ioctl: point --device at /dev/sysgenid.";
            case PRESENT -> throw new IllegalStateException("not a problem: " + status);
        };
        JsonObject o = new JsonObject()
                .put("device", path)
                .put("simulated", false)
                .put("state", state)
                .put("exitCode", code.code())
                .put("message", advice);
        if (status == DeviceStatus.PERMISSION_DENIED) {
            o.put("udevRule", DevicePermissionException.UDEV_RULE);
        }
        report.result(String.join(System.lineSeparator(),
                "device:            " + path,
                "state:             " + state,
                "what to do:        " + advice), o);
        return code.code();
    }
}
