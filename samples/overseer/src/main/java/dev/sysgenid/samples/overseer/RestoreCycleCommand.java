/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.Overseer;
import dev.sysgenid.WaitResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code restore-cycle [--min N] [--timeout DURATION] [--reseed-kernel-rng [--rng-device PATH]]}:
 * what an orchestrator runs after it restored a snapshot, before it lets traffic in: (optionally)
 * reseed the kernel RNG, trigger, then wait for every tracked watcher. With
 * {@code --reseed-kernel-rng} the kernel RNG is reseeded before the trigger
 * ({@link KernelRngReseed}: needs {@code CAP_SYS_ADMIN}; without it the command exits
 * {@link ExitCode#MISSING_CAPABILITY} and triggers nothing), so that what differs between clones
 * (RDSEED/RDRAND, interrupt timing since the restore, a vmgenid ID) is in the kernel's CRNG
 * before the generators reseed on the new generation; it adds no clone-specific input itself. A further bump during the wait is caught up with and waited for within the same
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

    @Option(names = "--reseed-kernel-rng",
            description = "Before triggering, mix the new generation and the time into the kernel RNG and make it"
                    + " reseed (RNDADDENTROPY, RNDRESEEDCRNG; needs CAP_SYS_ADMIN). For guests whose kernel does not"
                    + " reseed its RNG on a restore (before Linux 5.18, or without a vmgenid device).")
    private boolean reseedKernelRng;

    @Option(names = "--rng-device", paramLabel = "PATH",
            description = "The kernel RNG node for --reseed-kernel-rng (default: ${DEFAULT-VALUE}).")
    private Path rngDevice = KernelRngReseed.DEFAULT_NODE;

    @Override
    public Integer call() throws InterruptedException {
        if (!reseedKernelRng && spec.commandLine().getParseResult().hasMatchedOption("--rng-device")) {
            throw new ParameterException(spec.commandLine(), "--rng-device only applies with --reseed-kernel-rng:"
                    + " add --reseed-kernel-rng, or leave --rng-device out");
        }
        Reporter report = root.reporter(spec.commandLine());
        try (GenerationDevice device = root.openDevice(); Overseer overseer = device.overseer()) {
            if (reseedKernelRng) {
                int next = device.currentGeneration() + 1; // what the trigger moves it to: max(min, current + 1)
                if (Integer.compareUnsigned(min.minGeneration, next) > 0) {
                    next = min.minGeneration;
                }
                KernelRngReseed.reseed(rngDevice, next);
                report.note("kernel RNG reseeded through " + rngDevice);
            }
            int triggered = overseer.trigger(min.minGeneration);
            WaitResult result = wait.timeout.isZero() ? overseer.awaitLatestGeneration() : overseer.awaitLatestGeneration(wait.timeout);
            return WaitCommand.report(report, device, result, wait.timeout, triggered);
        }
    }
}
