/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sysgenid.DevicePermissionException;
import dev.sysgenid.FileLimitException;
import dev.sysgenid.GenerationDevice;
import dev.sysgenid.LoopRegistration;
import dev.sysgenid.MissingCapabilityException;
import dev.sysgenid.Overseer;
import dev.sysgenid.WaitResult;
import dev.sysgenid.Watcher;
import dev.sysgenid.WatcherCounts;

/**
 * Fault scenarios on the real device, one per sub-command; the guest script (kernel-module/vm/guest/boot1.sh)
 * sets the scene (other processes, uid, ulimit) and runs them.
 *
 * <ul>
 * <li>{@code hold N}: N tracked EpollLoop registrations whose listener never acknowledges;
 *     prints {@code HOLDING} and then {@code GOT g} lines; runs until killed.</li>
 * <li>{@code wait-timeout N MILLIS}: trigger, then wait at most MILLIS: must time out naming N
 *     outdated watchers.</li>
 * <li>{@code wait-release SECONDS}: prints {@code WAITING}, waits: must end with all
 *     acknowledged (the script kills the holder meanwhile).</li>
 * <li>{@code fdlimit}: register tracked subscribers until the fd limit: a typed
 *     FileLimitException; the ones registered still see a trigger and acknowledge it.</li>
 * <li>{@code no-permission}: opening must fail with DevicePermissionException naming the udev rule.</li>
 * <li>{@code no-capability}: opening works, TRIGGER fails with MissingCapabilityException.</li>
 * </ul>
 */
public final class Faults {

    private static final Path DEVICE = Path.of("/dev/sysgenid");

    private Faults() {
    }

    public static void main(String[] args) throws Exception {
        Checks c = new Checks();
        try {
            switch (args[0]) {
                case "hold" -> hold(Integer.parseInt(args[1]));
                case "wait-timeout" -> waitTimeout(c, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
                case "wait-release" -> waitRelease(c, Integer.parseInt(args[1]));
                case "fdlimit" -> fdLimit(c);
                case "no-permission" -> noPermission(c);
                case "no-capability" -> noCapability(c);
                default -> throw new IllegalArgumentException(args[0]);
            }
        } catch (Throwable t) {
            c.fail("faults " + args[0], t);
        }
        System.exit(c.exitCode()); // also ends the pools' threads
    }

    static void hold(int n) throws InterruptedException {
        GenerationDevice device = GenerationDevice.open(DEVICE);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        for (int i = 0; i < n; i++) {
            int id = i;
            device.watch(true, pool, (reg, gen) -> Checks.say("GOT " + Integer.toUnsignedString(gen) + " sub=" + id));
        }
        Checks.say("HOLDING " + n + " pid=" + ProcessHandle.current().pid());
        Thread.sleep(Long.MAX_VALUE);
    }

    static void waitTimeout(Checks c, int expected, int millis) throws InterruptedException {
        try (GenerationDevice device = GenerationDevice.open(DEVICE); Overseer o = device.overseer()) {
            Optional<WatcherCounts> before = device.counts();
            int gen = o.trigger();
            long t0 = System.nanoTime();
            WaitResult r = o.awaitWatchers(Duration.ofMillis(millis));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            c.checkCounts(device, () -> before.orElseThrow().trackedWatchers() == expected, () ->
                    "tracked watchers before the trigger: " + before + " (expected " + expected + ")");
            OptionalInt named = before.isPresent() ? OptionalInt.of(expected) : OptionalInt.empty();
            c.check(r.outcome() == WaitResult.Outcome.TIMED_OUT && r.outdatedWatchers().equals(named),
                    "a subscriber that never acks: the overseer's wait times out after " + ms + " ms with " + r
                            + " (expected TIMED_OUT naming " + expected + " outdated) at gen " + Integer.toUnsignedString(gen));
            c.check(ms >= millis - 5 && ms < millis + 2000, "the timeout took " + ms + " ms for " + millis + " ms asked");
        }
    }

    static void waitRelease(Checks c, int seconds) throws InterruptedException {
        try (GenerationDevice device = GenerationDevice.open(DEVICE); Overseer o = device.overseer()) {
            WaitResult held = o.awaitWatchers(Duration.ofMillis(10)); // on any driver: someone is outdated
            Optional<WatcherCounts> outdated = device.counts();
            Checks.say("WAITING outdated=" + outdated.map(x -> Integer.toString(x.outdatedWatchers())).orElse("unknown"));
            long t0 = System.nanoTime();
            WaitResult r = o.awaitWatchers(Duration.ofSeconds(seconds));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            c.check(held.outcome() == WaitResult.Outcome.TIMED_OUT, "the wait started with outdated tracked watchers: " + held);
            c.checkCounts(device, () -> outdated.orElseThrow().outdatedWatchers() > 0, () ->
                    "the driver counted outdated tracked watchers before the wait: " + outdated);
            c.check(r.allAcknowledged(), "kill -9 of the JVM holding them: the overseer's wait returns " + r + " after " + ms + " ms");
            Optional<WatcherCounts> counts = device.counts();
            c.checkCounts(device, () -> counts.orElseThrow().trackedWatchers() == 0
                    && counts.orElseThrow().outdatedWatchers() == 0, () ->
                    "after the kill the driver counts " + counts + ": the kernel closed the dead JVM's fds");
        }
    }

    static void fdLimit(Checks c) throws InterruptedException {
        GenerationDevice device = GenerationDevice.open(DEVICE);
        Overseer o = device.overseer(); // before the limit: the overseer needs its own fd
        ExecutorService pool = Executors.newFixedThreadPool(2);
        device.loop();
        Map<Integer, AtomicInteger> seen = new ConcurrentHashMap<>();
        List<LoopRegistration> regs = new ArrayList<>();
        Throwable failure = null;
        int gen0 = device.currentGeneration();
        // read sysfs once before the limit: the JDK opens an fd in a class initializer on its
        // first file read, and a class that failed to initialize stays unusable in this JVM
        boolean reportsCounts = device.counts().isPresent();
        int trackedBefore = device.counts().map(WatcherCounts::trackedWatchers).orElse(0);
        for (int i = 0; i < 100_000; i++) {
            AtomicInteger count = new AtomicInteger();
            try {
                regs.add(device.watch(true, pool, (reg, gen) -> {
                    count.incrementAndGet();
                    reg.acknowledge(gen);
                }));
            } catch (Throwable t) {
                failure = t;
                break;
            }
            seen.put(i, count);
        }
        c.check(failure instanceof FileLimitException,
                "ulimit -n too low: opening subscriber " + (regs.size() + 1) + " fails with " + failure);
        if (failure != null) {
            Checks.say("message: " + failure.getMessage());
        }
        c.check(regs.size() > 0, regs.size() + " subscribers registered before the limit");
        // still at the limit: the overseer's fd was opened before, so it can trigger and wait
        int gen = o.trigger();
        WaitResult r = o.awaitWatchers(Duration.ofSeconds(20));
        c.check(r.allAcknowledged(), "the other subscribers carry on: after a trigger to gen "
                + Integer.toUnsignedString(gen) + " the overseer's wait returns " + r);
        Thread.sleep(100);
        long once = seen.values().stream().filter(a -> a.get() == 1).count();
        c.check(once == regs.size(), once + "/" + regs.size() + " subscribers saw the change exactly once (from gen " + gen0 + ")");
        Throwable countsFailure = null;
        try {
            device.counts();
        } catch (Throwable e) {
            countsFailure = e;
        }
        c.check(reportsCounts ? countsFailure instanceof FileLimitException : countsFailure == null,
                "at the fd limit, device.counts() fails with FileLimitException where it reads sysfs (ours), and"
                        + " answers 'none' without an fd where the driver exports none: " + countsFailure);
        // release: below the limit again, a new subscriber works and the driver's counts agree
        regs.remove(regs.size() - 1).close();
        regs.remove(regs.size() - 1).close();
        Thread.sleep(200);
        Optional<WatcherCounts> after = device.counts();
        c.checkCounts(device, () -> after.orElseThrow().trackedWatchers() - trackedBefore == regs.size(), () ->
                "after two subscribers close, the driver tracks " + after + " watchers = the registered ones");
        boolean reopened;
        try {
            device.openWatcher().close();
            reopened = true;
        } catch (FileLimitException e) {
            reopened = false;
        }
        c.check(reopened, "and opening a watcher works again");
        pool.shutdown();
        pool.awaitTermination(5, TimeUnit.SECONDS);
    }

    static void noPermission(Checks c) {
        try (GenerationDevice device = GenerationDevice.open(DEVICE)) {
            c.check(false, "uid " + uid() + " outside the group opened the device: " + device.name());
        } catch (DevicePermissionException e) {
            c.check(e.getMessage().contains(DevicePermissionException.UDEV_RULE),
                    "uid " + uid() + " without the group: DevicePermissionException naming the udev rule: " + e.getMessage());
        } catch (Throwable t) {
            c.fail("uid " + uid() + " without the group: expected DevicePermissionException", t);
        }
    }

    static void noCapability(Checks c) {
        try (GenerationDevice device = GenerationDevice.open(DEVICE); Overseer o = device.overseer()) {
            c.check(true, "uid " + uid() + " in the group sysgenid opens the device");
            int before = device.currentGeneration();
            try (Watcher w = device.openWatcher()) {
                w.setTracking(true);
                c.check(true, "uid " + uid() + " in the group can open and track a watcher");
            }
            try {
                o.trigger();
                c.check(false, "TRIGGER without the capability succeeded");
            } catch (MissingCapabilityException e) {
                c.check(device.currentGeneration() == before,
                        "TRIGGER without the capability: MissingCapabilityException (errno " + e.errno()
                                + "), counter unchanged at " + before + ": " + e.getMessage());
            }
        } catch (Throwable t) {
            c.fail("uid " + uid() + " in the group", t);
        }
    }

    private static String uid() {
        return System.getProperty("user.name");
    }
}
