/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Objects;

import dev.sysgenid.DevicePermissionException;
import dev.sysgenid.GenerationDevice;
import dev.sysgenid.SysgenidException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code sysgenid-overseer}: the orchestrator's side of {@code /dev/sysgenid} on the command
 * line. Subcommands: {@code status}, {@code watch}, {@code trigger}, {@code wait},
 * {@code restore-cycle}.
 *
 * <p>Guarantees: the process exits with one of the {@link ExitCode}s, which are stable; every
 * failure is reported with a message that says what to do (under {@code --json}, as one JSON
 * object with an {@code "error"} field on standard output); each command opens the device
 * once and closes it, and with it every watcher it opened, before it returns.
 */
@Command(name = "sysgenid-overseer",
        mixinStandardHelpOptions = true,
        version = "sysgenid-overseer 0.1.0",
        description = "Watch and drive the System Generation ID device (/dev/sysgenid).",
        subcommands = {
            StatusCommand.class,
            WatchCommand.class,
            TriggerCommand.class,
            WaitCommand.class,
            RestoreCycleCommand.class
        },
        footerHeading = "%nExit status:%n",
        footer = {
            "  0  ok",
            "  1  usage error",
            "  2  device absent (module not loaded, or wrong --device)",
            "  3  permission denied (install the udev rule)",
            "  4  not a sysgenid device",
            "  5  missing capability (CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN)",
            "  6  wait timed out (watchers still outdated)",
            "  7  the counter moved again while waiting",
            "  8  other device error"
        })
public final class OverseerCommand implements Runnable {

    private final DeviceSource source;

    @Spec
    private CommandSpec spec;

    @Option(names = "--device", paramLabel = "PATH", scope = ScopeType.INHERIT,
            description = "Device node (default: ${DEFAULT-VALUE}).")
    private Path device = GenerationDevice.DEFAULT_PATH;

    @Option(names = "--simulated", scope = ScopeType.INHERIT,
            description = "Use an in-process simulated device instead of --device (demos and tests).")
    private boolean simulated;

    @Option(names = "--json", scope = ScopeType.INHERIT,
            description = "Print one JSON object per line instead of text.")
    private boolean json;

    /** A command reading its device from {@code source}. */
    public OverseerCommand(DeviceSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /** Runs the command line and exits the JVM with its {@link ExitCode}. */
    public static void main(String[] args) {
        System.exit(commandLine(DeviceSource.system()).execute(args));
    }

    /**
     * The configured picocli command line: usage errors exit with {@link ExitCode#USAGE},
     * device errors with their own status (see {@link ExitCode#of(SysgenidException)}).
     * Set its out and err writers to capture what it prints.
     */
    public static CommandLine commandLine(DeviceSource source) {
        CommandLine cl = new CommandLine(new OverseerCommand(source));
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine failed = ex.getCommandLine();
            PrintWriter err = failed.getErr();
            err.println("sysgenid-overseer: " + ex.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
                err.println("Run '" + failed.getCommandSpec().qualifiedName() + " --help' for the options.");
            }
            err.flush();
            return ExitCode.USAGE.code();
        });
        cl.setExecutionExceptionHandler((ex, failed, parseResult) -> {
            if (!(ex instanceof SysgenidException failure)) {
                throw ex;
            }
            ExitCode code = ExitCode.of(failure);
            OverseerCommand root = failed.getCommandSpec().root().commandLine().getCommand();
            root.reporter(failed).failure(code, failure);
            return code.code();
        });
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "name a command: status, watch, trigger, wait or restore-cycle");
    }

    // ---- for the subcommands ------------------------------------------------------------------

    /** The device the options name: the simulated one, or the real one at {@code --device}. */
    GenerationDevice openDevice() {
        return simulated ? source.simulated() : source.open(device);
    }

    DeviceSource source() {
        return source;
    }

    Path devicePath() {
        return device;
    }

    boolean isSimulated() {
        return simulated;
    }

    /** Prints for the subcommand {@code cl} in the format the options ask for. */
    Reporter reporter(CommandLine cl) {
        return new Reporter(cl.getOut(), cl.getErr(), json);
    }

    /** The udev rule, for the permission-denied report. */
    static String udevRule() {
        return DevicePermissionException.UDEV_RULE;
    }
}
