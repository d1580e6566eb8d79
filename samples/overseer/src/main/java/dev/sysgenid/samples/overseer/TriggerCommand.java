/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import java.util.concurrent.Callable;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.Overseer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code trigger [--min N]}: moves the counter to {@code max(N, current + 1)} and prints the
 * new generation. Needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN; without it, exits
 * {@link ExitCode#MISSING_CAPABILITY} and says how to grant it. Does not wait for watchers:
 * that is {@code wait}, or both at once, {@code restore-cycle}.
 */
@Command(name = "trigger", mixinStandardHelpOptions = true, description = "Move the generation counter (after a restore) and print the new generation.")
final class TriggerCommand implements Callable<Integer> {

    @ParentCommand
    private OverseerCommand root;

    @Spec
    private CommandSpec spec;

    @Mixin
    private MinGenerationOption min;

    @Override
    public Integer call() {
        Reporter report = root.reporter(spec.commandLine());
        try (GenerationDevice device = root.openDevice(); Overseer overseer = device.overseer()) {
            int generation = overseer.trigger(min.minGeneration);
            report.result("generation " + Integer.toUnsignedString(generation),
                    new JsonObject().put("device", device.name()).putGeneration("generation", generation));
            return ExitCode.OK.code();
        }
    }
}
