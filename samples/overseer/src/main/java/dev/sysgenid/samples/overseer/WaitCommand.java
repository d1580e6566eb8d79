/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import java.time.Duration;
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
 * {@code wait [--timeout DURATION]}: blocks until every tracked watcher has acknowledged the
 * current generation. Exits {@link ExitCode#OK} when they all have,
 * {@link ExitCode#WAIT_TIMED_OUT} (printing how many are still outdated) when the timeout
 * expires first, and {@link ExitCode#COUNTER_MOVED} when the counter moves again during the
 * wait (the watchers then have a newer generation to acknowledge: run it again).
 */
@Command(name = "wait", mixinStandardHelpOptions = true, description = "Wait until every tracked watcher has acknowledged the current generation.")
final class WaitCommand implements Callable<Integer> {

    @ParentCommand
    private OverseerCommand root;

    @Spec
    private CommandSpec spec;

    @Mixin
    private TimeoutOption wait;

    @Override
    public Integer call() throws InterruptedException {
        Reporter report = root.reporter(spec.commandLine());
        try (GenerationDevice device = root.openDevice(); Overseer overseer = device.overseer()) {
            WaitResult result = wait.timeout.isZero() ? overseer.awaitWatchers() : overseer.awaitWatchers(wait.timeout);
            return report(report, device, result, wait.timeout, null);
        }
    }

    /**
     * Prints the end of a wait and returns its exit status.
     *
     * @param triggered the generation a restore cycle triggered, or null for a plain wait
     */
    static int report(Reporter report, GenerationDevice device, WaitResult result, Duration timeout, Integer triggered) {
        ExitCode code = ExitCode.of(result.outcome());
        int generation = device.currentGeneration();
        String gen = Integer.toUnsignedString(generation);
        String outdated = result.outdatedWatchers().isPresent()
                ? result.outdatedWatchers().getAsInt() + " tracked watcher(s) still outdated"
                : "tracked watchers still outdated (this driver does not report how many)";
        String text = switch (result.outcome()) {
            case ALL_ACKNOWLEDGED -> "all tracked watchers acknowledged generation " + gen;
            case TIMED_OUT -> "timed out after " + timeout + ": " + outdated + " at generation " + gen
                    + "; find the service that has not acknowledged, or raise --timeout";
            case CALLER_OUTDATED -> "the counter moved again while waiting (now generation " + gen
                    + "): the watchers have a newer generation to acknowledge; run wait again";
        };
        if (triggered != null) {
            text = "generation " + Integer.toUnsignedString(triggered) + System.lineSeparator() + text;
        }
        JsonObject o = new JsonObject().put("device", device.name());
        if (triggered != null) {
            o.putGeneration("triggered", triggered);
        }
        o.put("outcome", result.outcome().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                .putGeneration("generation", generation);
        o.put("outdatedWatchers", result.outdatedWatchers()) // null where the driver reports no counts
                .put("exitCode", code.code());
        report.result(text, o);
        return code.code();
    }
}
