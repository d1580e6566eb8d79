/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import java.util.concurrent.Callable;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.Overseer;
import dev.sysgenid.WaitResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code restore-cycle [--min N] [--timeout DURATION]}: what an orchestrator runs after it
 * restored a snapshot, before it lets traffic in: trigger, then wait for every tracked
 * watcher. A further bump during the wait is caught up with and waited for within the same
 * timeout, so this command never ends with {@link ExitCode#COUNTER_MOVED}; it exits
 * {@link ExitCode#OK} or {@link ExitCode#WAIT_TIMED_OUT}, or with the trigger's failure.
 */
@Command(name = "restore-cycle", mixinStandardHelpOptions = true, description = "Trigger a new generation, then wait for every tracked watcher to acknowledge it.")
final class RestoreCycleCommand implements Callable<Integer> {

    @ParentCommand
    private OverseerCommand root;

    @Spec
    private CommandSpec spec;

    @Mixin
    private MinGenerationOption min;

    @Mixin
    private TimeoutOption wait;

    @Override
    public Integer call() throws InterruptedException {
        Reporter report = root.reporter(spec.commandLine());
        try (GenerationDevice device = root.openDevice(); Overseer overseer = device.overseer()) {
            int triggered = overseer.trigger(min.minGeneration);
            WaitResult result = overseer.awaitLatestGeneration(wait.timeout);
            return WaitCommand.report(report, device, result, wait.timeout, triggered);
        }
    }
}
