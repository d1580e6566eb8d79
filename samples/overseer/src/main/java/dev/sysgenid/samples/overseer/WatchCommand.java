/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.GenerationListener;
import dev.sysgenid.LoopRegistration;
import dev.sysgenid.SimulatedDevice;
import dev.sysgenid.SysgenidException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code watch [--count N] [--track]}: one watcher on the device's epoll loop; prints each new
 * generation as it arrives and acknowledges it, until Ctrl-C or until {@code --count}
 * generations were seen. The first line says the watch has started and from which generation
 * (a script may wait for it before it bumps). Changes that come faster than they are printed
 * coalesce: the newest generation is always printed, intermediate ones may not be.
 *
 * <p>With {@code --track} the watcher is counted by the overseer's wait, so {@code wait} in
 * another terminal returns only once this command printed (and acknowledged) the change.
 * Ctrl-C ends the process with status 130, the shell's convention for SIGINT; the kernel
 * closes the watcher with the process.
 */
@Command(name = "watch", mixinStandardHelpOptions = true, description = "Print each new generation as it arrives, acknowledging it, until Ctrl-C or --count.")
final class WatchCommand implements Callable<Integer> {

    @ParentCommand
    private OverseerCommand root;

    @Spec
    private CommandSpec spec;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
            description = "Stop after N generations (default: run until Ctrl-C).")
    private int count;

    @Option(names = "--track",
            description = "Count this watcher in the overseer's wait (until it acknowledges, 'wait' blocks).")
    private boolean track;

    @Option(names = "--bump-every", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "With --simulated only: bump the simulated device this often (a demo of restores).")
    private Duration bumpEvery;

    @Override
    public Integer call() throws InterruptedException {
        if (count < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--count must be 0 (no limit) or more, not " + count);
        }
        Reporter report = root.reporter(spec.commandLine());
        AtomicReference<SysgenidException> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger seen = new AtomicInteger();
        ExecutorService listenerThread = Executors.newSingleThreadExecutor(daemon("sysgenid-watch"));
        ScheduledExecutorService bumper = null;
        try (GenerationDevice device = root.openDevice()) {
            if (bumpEvery != null) {
                if (!(device instanceof SimulatedDevice simulated) || bumpEvery.compareTo(Duration.ofMillis(1)) < 0
                        || bumpEvery.compareTo(Duration.ofDays(365)) > 0) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "--bump-every needs --simulated and a duration from 1ms to 365 days");
                }
                bumper = Executors.newSingleThreadScheduledExecutor(daemon("sysgenid-bump"));
                long period = bumpEvery.toMillis();
                bumper.scheduleAtFixedRate(simulated::bump, period, period, TimeUnit.MILLISECONDS);
            }
            LoopRegistration registration = device.watch(track, listenerThread, new GenerationListener() {
                @Override
                public void onGeneration(LoopRegistration reg, int generation) {
                    report.result("generation " + Integer.toUnsignedString(generation),
                            new JsonObject().put("event", "generation").putGeneration("generation", generation));
                    // STALE: the counter moved again; the loop calls back with the newest one
                    reg.acknowledge(generation);
                    if (count > 0 && seen.incrementAndGet() >= count) {
                        done.countDown();
                    }
                }

                @Override
                public void onTerminated(SysgenidException cause) {
                    failure.set(cause);
                    done.countDown();
                }
            });
            int start = device.currentGeneration(); // if it moved since the watch, the listener tells
            try {
                report.result("watching " + device.name() + " from generation " + Integer.toUnsignedString(start)
                                + (track ? " (tracked)" : "") + "; Ctrl-C to stop",
                        new JsonObject().put("event", "watching").put("device", device.name())
                                .putGeneration("generation", start).put("tracked", track));
                done.await();
            } finally {
                registration.close();
            }
        } finally {
            if (bumper != null) {
                bumper.shutdownNow();
            }
            listenerThread.shutdownNow();
        }
        SysgenidException cause = failure.get();
        if (cause != null) {
            throw cause;
        }
        return ExitCode.OK.code();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
