/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.ArrayList;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.sysgenid.DeviceIoException;
import dev.sysgenid.DevicePermissionException;
import dev.sysgenid.DeviceStatus;
import dev.sysgenid.GenerationDevice;
import dev.sysgenid.DriverProfile;
import dev.sysgenid.LoopRegistration;
import dev.sysgenid.SimulatedDevice;
import dev.sysgenid.Watcher;
import picocli.CommandLine;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OverseerCommandTest {

    private final SimulatedDevice device = SimulatedDevice.create(profile());

    /** The driver the simulated device behaves as; a subclass runs every command on the other. */
    DriverProfile profile() {
        return DriverProfile.OURS;
    }

    /** Whether the driver reports its counts: the only difference the commands show. */
    private boolean countsReported() {
        return device.counts().isPresent();
    }
    private final UnclosableDevice view = new UnclosableDevice(device);
    private final ExecutorService background = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() {
        background.shutdownNow();
        device.close();
    }

    /** What one run printed and how it exited. */
    record Run(int exitCode, String out, String err) {
    }

    /** Runs the command line with {@code --simulated} meaning the test's device. */
    private Run run(String... args) {
        return run(sourceWith(() -> view), args);
    }

    private static Run run(DeviceSource source, String... args) {
        return start(source, new StringWriter(), new StringWriter(), args).join();
    }

    private static PendingRun start(DeviceSource source, StringWriter out, StringWriter err, String... args) {
        CommandLine cl = OverseerCommand.commandLine(source);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new PendingRun(() -> cl.execute(args), out, err);
    }

    /** A run that can happen on another thread while the test moves the counter. */
    record PendingRun(Supplier<Integer> body, StringWriter out, StringWriter err) {
        Run join() {
            int code = body.get();
            return new Run(code, out.toString(), err.toString());
        }

        Future<Run> in(ExecutorService executor) {
            return executor.submit(this::join);
        }
    }

    /** The real factories, except that {@code simulated()} hands out {@code simulated}. */
    private static DeviceSource sourceWith(Supplier<GenerationDevice> simulated) {
        DeviceSource system = DeviceSource.system();
        return new DeviceSource() {
            @Override
            public DeviceStatus status(Path path) {
                return system.status(path);
            }

            @Override
            public GenerationDevice open(Path path) {
                return system.open(path);
            }

            @Override
            public GenerationDevice simulated() {
                return simulated.get();
            }
        };
    }

    private static void awaitText(StringWriter out, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!out.toString().contains(text)) {
            assertThat(System.nanoTime()).as("waiting for '%s' in: %s", text, out).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Nested
    class Status {

        @Test
        void simulatedDeviceIsPresentWithItsCounts() {
            device.bump();
            try (Watcher w = device.openWatcher()) {
                w.setTracking(true);
                device.bump();
                Run r = run("--simulated", "status");
                assertThat(r.exitCode()).isZero();
                assertThat(r.out()).contains("state:             present", "generation:        2",
                        "driver:            " + device.driver().description());
                if (countsReported()) {
                    assertThat(r.out()).contains("tracked watchers:  1", "outdated watchers: 1");
                } else {
                    assertThat(r.out()).contains("tracked watchers:  unknown (this driver does not report it)",
                            "outdated watchers: unknown (this driver does not report it)");
                }
            }
        }

        @Test
        void jsonIsOneObject() {
            Run r = run("status", "--simulated", "--json");
            assertThat(r.exitCode()).isZero();
            assertThat(r.out().strip()).isEqualTo("{\"device\":\"simulated\",\"simulated\":true,\"driver\":\""
                    + device.driver().description() + "\",\"state\":\"present\",\"generation\":0,"
                    + (countsReported() ? "\"countsReported\":true,\"trackedWatchers\":0,\"outdatedWatchers\":0}"
                            : "\"countsReported\":false}"));
        }

        @Test
        void absentPathExitsTwo(@TempDir Path dir) {
            Run r = run("status", "--device", dir.resolve("sysgenid").toString());
            assertThat(r.exitCode()).isEqualTo(ExitCode.DEVICE_ABSENT.code()).isEqualTo(2);
            assertThat(r.out()).contains("state:             absent", "modprobe sysgenid");
        }

        @Test
        void regularFileIsNotADevice(@TempDir Path dir) throws IOException {
            Path file = Files.writeString(dir.resolve("not-a-device"), "x");
            Run r = run("--json", "status", "--device", file.toString());
            assertThat(r.exitCode()).isEqualTo(4);
            assertThat(r.out()).contains("\"state\":\"not-a-device\"", "\"exitCode\":4");
        }

        @Test
        void devNullIsNotADevice() {
            Run r = run("status", "--device", "/dev/null");
            assertThat(r.exitCode()).isEqualTo(ExitCode.NOT_A_DEVICE.code());
        }

        @Test
        void permissionDeniedExitsThreeAndPrintsTheUdevRule() {
            DeviceSource denied = new DeviceSource() {
                @Override
                public DeviceStatus status(Path path) {
                    return DeviceStatus.PERMISSION_DENIED;
                }

                @Override
                public GenerationDevice open(Path path) {
                    throw new DevicePermissionException(path.toString(), 13);
                }

                @Override
                public GenerationDevice simulated() {
                    throw new AssertionError("not used");
                }
            };
            Run status = run(denied, "status");
            assertThat(status.exitCode()).isEqualTo(3);
            assertThat(status.out()).contains("permission-denied", DevicePermissionException.UDEV_RULE);

            Run trigger = run(denied, "trigger");
            assertThat(trigger.exitCode()).isEqualTo(ExitCode.PERMISSION_DENIED.code());
            assertThat(trigger.err()).contains("udev rule: " + DevicePermissionException.UDEV_RULE);

            Run json = run(denied, "--json", "wait");
            assertThat(json.exitCode()).isEqualTo(3);
            assertThat(json.out()).contains("\"error\":\"permission-denied\"", "\"udevRule\":");
        }
    }

    @Nested
    class Trigger {

        @Test
        void printsTheNewGeneration() {
            Run r = run("--simulated", "trigger");
            assertThat(r.exitCode()).isZero();
            assertThat(r.out().strip()).isEqualTo("generation 1");
            assertThat(device.currentGeneration()).isEqualTo(1);
        }

        @Test
        void minimumFollowsTheDriverRule() {
            for (int i = 0; i < 5; i++) {
                device.bump();
            }
            assertThat(run("--simulated", "trigger", "--min", "8").out().strip()).isEqualTo("generation 8");
            assertThat(run("--simulated", "trigger", "--min", "3").out().strip()).isEqualTo("generation 9");
        }

        @Test
        void generationsAreUnsigned() {
            Run r = run("--simulated", "--json", "trigger", "--min", "4294967295");
            assertThat(r.exitCode()).isZero();
            if (profile() == DriverProfile.PRODUCTION) { // signed: a min_gen of 0x80000000 or more is ignored
                assertThat(r.out().strip()).isEqualTo("{\"device\":\"simulated\",\"generation\":1}");
                return;
            }
            assertThat(r.out().strip()).isEqualTo("{\"device\":\"simulated\",\"generation\":4294967295}");
            assertThat(run("--simulated", "trigger").out().strip()).isEqualTo("generation 0");
        }

        @Test
        void badMinimumIsAUsageError() {
            Run r = run("--simulated", "trigger", "--min", "4294967296");
            assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE.code()).isEqualTo(1);
            assertThat(r.err()).contains("from 0 to 4294967295");
            assertThat(run("--simulated", "trigger", "--min", "-1").exitCode()).isEqualTo(1);
            assertThat(device.currentGeneration()).isZero();
        }

        @Test
        void withoutTheCapabilityExitsFive() {
            device.setTriggerCapability(false);
            Run r = run("--simulated", "trigger");
            assertThat(r.exitCode()).isEqualTo(ExitCode.MISSING_CAPABILITY.code()).isEqualTo(5);
            assertThat(r.err()).contains("CAP_CHECKPOINT_RESTORE", "AmbientCapabilities");
            Run json = run("--simulated", "--json", "restore-cycle");
            assertThat(json.exitCode()).isEqualTo(5);
            assertThat(json.out()).contains("\"error\":\"missing-capability\"", "\"exitCode\":5");
            assertThat(device.currentGeneration()).isZero();
        }

        @Test
        void absentDeviceExitsTwo(@TempDir Path dir) {
            Run r = run("trigger", "--device", dir.resolve("missing").toString());
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err()).contains("does not exist", "modprobe");
        }

        @Test
        void regularFileExitsFour(@TempDir Path dir) throws IOException {
            Path file = Files.writeString(dir.resolve("plain"), "");
            assertThat(run("trigger", "--device", file.toString()).exitCode()).isEqualTo(4);
            assertThat(run("--device", "/dev/null", "trigger").exitCode()).isEqualTo(4);
        }

        @Test
        void otherDeviceErrorsExitEight() {
            DeviceSource broken = sourceWith(() -> {
                throw new DeviceIoException("open(/dev/sysgenid)", 5);
            });
            Run r = run(broken, "--simulated", "--json", "trigger");
            assertThat(r.exitCode()).isEqualTo(ExitCode.DEVICE_ERROR.code()).isEqualTo(8);
            assertThat(r.out()).contains("\"error\":\"device-error\"", "check dmesg");
        }
    }

    @Nested
    class Wait {

        @Test
        void noTrackedWatcherReturnsAtOnce() {
            Run r = run("--simulated", "wait", "--timeout", "5s");
            assertThat(r.exitCode()).isZero();
            assertThat(r.out()).contains("all tracked watchers acknowledged generation 0");
        }

        @Test
        void outdatedTrackedWatcherTimesOutWithSix() {
            try (Watcher w = device.openWatcher()) {
                w.setTracking(true);
                device.bump();
                Run r = run("--simulated", "wait", "--timeout", "200ms");
                assertThat(r.exitCode()).isEqualTo(ExitCode.WAIT_TIMED_OUT.code()).isEqualTo(6);
                assertThat(r.out()).contains(countsReported() ? "1 tracked watcher(s) still outdated at generation 1"
                        : "tracked watchers still outdated (this driver does not report how many) at generation 1")
                        .doesNotContain("unknown number");

                Run json = run("--simulated", "--json", "wait", "--timeout", "PT0.1S");
                assertThat(json.exitCode()).isEqualTo(6);
                assertThat(json.out()).contains("\"outcome\":\"timed-out\"");
                assertThat(json.out()).as("the key is always there, null where the driver reports no counts")
                        .contains(countsReported() ? "\"outdatedWatchers\":1," : "\"outdatedWatchers\":null,");
            }
        }

        @Test
        void counterMovingDuringTheWaitExitsSeven() throws Exception {
            try (Watcher w = device.openWatcher()) {
                w.setTracking(true);
                device.bump();
                Future<Run> waiting = start(sourceWith(() -> view), new StringWriter(), new StringWriter(),
                        "--simulated", "wait", "--timeout", "20s").in(background);
                assertThat(view.overseerOpened.await(10, TimeUnit.SECONDS)).isTrue();
                device.bump();
                Run r = waiting.get(10, TimeUnit.SECONDS);
                assertThat(r.exitCode()).isEqualTo(ExitCode.COUNTER_MOVED.code()).isEqualTo(7);
                assertThat(r.out()).contains("moved again", "generation 2");
            }
        }

        @Test
        void everySubcommandPrintsItsHelpAsTheUsageErrorSuggests() {
            Run bad = run("--simulated", "restore-cycle", "--bogus");
            assertThat(bad.err()).contains("restore-cycle --help");
            Run help = run("restore-cycle", "--help");
            assertThat(help.exitCode()).isZero();
            assertThat(help.out()).contains("--min=N", "--timeout=DURATION", "(default: 30s)");
            assertThat(run("wait", "--help").out()).contains("--timeout=DURATION");
            assertThat(run("trigger", "--help").out()).contains("--min=N", "0..4294967295");
            for (String cmd : new String[] {"status", "watch"}) {
                assertThat(run(cmd, "--help").exitCode()).isZero();
            }
        }

        @Test
        void badTimeoutIsAUsageError() {
            Run r = run("--simulated", "wait", "--timeout", "soon");
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).contains("250ms", "PT30S");
            assertThat(run("--simulated", "wait", "--timeout", "5").exitCode()).isEqualTo(1);
            assertThat(run("--simulated", "wait", "--timeout", "-PT1S").exitCode()).isEqualTo(1);
        }
    }

    @Nested
    class RestoreCycle {

        @Test
        void triggersAndWaitsForAWatcherThatAcknowledges() {
            LoopRegistration reg = device.watch(true, Runnable::run,
                    (registration, generation) -> registration.acknowledge(generation));
            try {
                Run r = run("--simulated", "--json", "restore-cycle", "--min", "7", "--timeout", "10s");
                assertThat(r.exitCode()).isZero();
                assertThat(r.out().strip()).isEqualTo("{\"device\":\"simulated\",\"triggered\":7,"
                        + "\"outcome\":\"all-acknowledged\",\"generation\":7,\"outdatedWatchers\":0,\"exitCode\":0}");
            } finally {
                reg.close();
            }
        }

        @Test
        void aWatcherThatNeverAcknowledgesTimesOut() {
            try (Watcher w = device.openWatcher()) {
                w.setTracking(true);
                Run r = run("--simulated", "restore-cycle", "--timeout", "150ms");
                assertThat(r.exitCode()).isEqualTo(6);
                assertThat(r.out()).contains("generation 1", countsReported() ? "1 tracked watcher(s) still outdated"
                        : "tracked watchers still outdated (this driver does not report how many)");
            }
        }
    }

    @Nested
    class Watch {

        @Test
        void printsAndAcknowledgesEachGeneration() throws Exception {
            StringWriter out = new StringWriter();
            try (Watcher other = device.openWatcher()) {
                Future<Run> watching = start(sourceWith(() -> view), out, new StringWriter(),
                        "--simulated", "watch", "--count", "2", "--track").in(background);
                awaitText(out, "watching simulated from generation 0 (tracked)");
                assertThat(device.kernelCounts().trackedWatchers()).isEqualTo(1);
                device.bump();
                awaitText(out, "generation 1\n");
                device.bump();
                Run r = watching.get(10, TimeUnit.SECONDS);
                assertThat(r.exitCode()).isZero();
                assertThat(r.out()).contains("generation 1\n", "generation 2\n");
                assertThat(device.kernelCounts().trackedWatchers()).as("closed with the command").isZero();
                assertThat(other.isOutdated()).isTrue();
            }
        }

        @Test
        void trackedWatchHoldsUpTheOverseerUntilItAcknowledges() throws Exception {
            StringWriter out = new StringWriter();
            Future<Run> watching = start(sourceWith(() -> view), out, new StringWriter(),
                    "--simulated", "--json", "watch", "--count", "1", "--track").in(background);
            awaitText(out, "\"event\":\"watching\"");
            Run cycle = run("--simulated", "restore-cycle", "--timeout", "10s");
            assertThat(cycle.exitCode()).isZero();
            Run w = watching.get(10, TimeUnit.SECONDS);
            assertThat(w.exitCode()).isZero();
            assertThat(w.out()).contains("{\"event\":\"generation\",\"generation\":1}");
        }

        /** A node that is not the kernel RNG: a typed error naming it, and no trigger. */
        @Test
        void reseedKernelRngOnANodeThatIsNotTheKernelRngFailsBeforeTriggering() {
            Run r = run("--simulated", "restore-cycle", "--reseed-kernel-rng", "--rng-device", "/dev/null", "--timeout", "1s");
            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.DEVICE_ERROR.code());
            assertThat(r.err()).contains("/dev/null refused the kernel RNG ioctls", "/dev/urandom");
            assertThat(device.kernelCounts().generation()).as("nothing triggered").isZero();
            Run absent = run("--simulated", "--json", "restore-cycle", "--reseed-kernel-rng", "--rng-device", "/nonexistent/rng");
            assertThat(absent.exitCode()).isEqualTo(ExitCode.DEVICE_ABSENT.code());
            assertThat(absent.out()).contains("\"error\":\"device-absent\"", "cannot open /nonexistent/rng");
        }

        /** A FIFO is refused before it is opened (an open without a writer would block forever). */
        @Test
        void reseedKernelRngOnAFifoFailsAtOnce(@TempDir Path dir) throws Exception {
            Path fifo = dir.resolve("fifo");
            assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
            Run r = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> run("--simulated", "restore-cycle", "--reseed-kernel-rng", "--rng-device", fifo.toString(),
                            "--timeout", "1s"));
            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.DEVICE_ERROR.code());
            assertThat(r.err()).contains("is not a character device", "/dev/urandom");
            assertThat(device.kernelCounts().generation()).as("nothing triggered").isZero();
        }

        /** --rng-device means nothing without --reseed-kernel-rng: a usage error, not silence. */
        @Test
        void rngDeviceWithoutReseedKernelRngIsAUsageError() {
            Run r = run("--simulated", "restore-cycle", "--rng-device", "/dev/urandom", "--timeout", "1s");
            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.USAGE.code());
            assertThat(r.err()).contains("--rng-device only applies with --reseed-kernel-rng");
            assertThat(device.kernelCounts().generation()).as("nothing triggered").isZero();
        }

        /**
         * The real /dev/urandom: with CAP_SYS_ADMIN the kernel RNG is reseeded and the cycle
         * completes; without it, exit 5 with what to do, and nothing triggered.
         */
        @Test
        void reseedKernelRngNeedsCapSysAdmin() throws IOException {
            Run r = run("--simulated", "restore-cycle", "--reseed-kernel-rng", "--timeout", "10s");
            if (hasCapSysAdmin()) {
                assertThat(r.exitCode()).as(r.err()).isZero();
                assertThat(r.err()).contains("kernel RNG reseeded through /dev/urandom");
                assertThat(device.kernelCounts().generation()).isEqualTo(1);
                // and the other branch, in a child without CAP_SYS_ADMIN (util-linux's setpriv
                // drops it from the bounding set, so the exec'd JVM cannot have it)
                ChildRun child = runWithoutCapSysAdmin("--simulated", "restore-cycle", "--reseed-kernel-rng",
                        "--timeout", "10s");
                assertThat(child.exitCode()).as(child.err()).isEqualTo(ExitCode.MISSING_CAPABILITY.code());
                assertThat(child.err()).contains("needs CAP_SYS_ADMIN");
            } else {
                assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.MISSING_CAPABILITY.code());
                assertThat(r.err()).contains("needs CAP_SYS_ADMIN");
                assertThat(device.kernelCounts().generation()).isZero();
            }
        }

        @Test
        void standaloneSimulatedDeviceWithBumps() {
            Run r = run(DeviceSource.system(), "--simulated", "watch", "--bump-every", "20ms", "--count", "3");
            assertThat(r.exitCode()).isZero();
            assertThat(r.out()).contains("watching simulated from generation 0");
            assertThat(r.out().lines().filter(l -> l.startsWith("generation ")).count()).isBetween(1L, 3L);
        }

        @Test
        void bumpEveryNeedsTheSimulatedDevice(@TempDir Path dir) {
            assertThat(run("--simulated", "watch", "--count", "-1").exitCode()).isEqualTo(1);
            Run r = run(DeviceSource.system(), "watch", "--bump-every", "1s", "--device", dir.resolve("x").toString());
            assertThat(r.exitCode()).as("the device is looked at first").isEqualTo(2);
        }

        @Test
        void aBumpPeriodTheSchedulerCannotTakeIsAUsageError() {
            // before: IllegalArgumentException (under 1 ms) and ArithmeticException (too long for
            // milliseconds) out of the scheduler, as stack traces
            for (String period : new String[] {"PT0.0005S", "PT9999999999999999S"}) {
                Run r = run(DeviceSource.system(), "--simulated", "watch", "--bump-every", period, "--count", "1");
                assertThat(r.exitCode()).as(period).isEqualTo(1);
                assertThat(r.err()).as(period).contains("--bump-every").doesNotContain("Exception");
            }
        }
    }

    @Nested
    class CommandLineUse {

        @Test
        void noCommandIsAUsageError() {
            Run r = run();
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).contains("name a command");
        }

        @Test
        void unknownOptionIsAUsageError() {
            Run r = run("--simulated", "status", "--bogus");
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).contains("--bogus");
        }

        @Test
        void helpListsTheExitCodes() {
            Run r = run("--help");
            assertThat(r.exitCode()).isZero();
            assertThat(r.out()).contains("restore-cycle", "Exit status:", "6  wait timed out");
        }

        @Test
        void exitCodesAreDistinctAndStable() {
            assertThat(ExitCode.values()).extracting(ExitCode::code).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
        }

        @Test
        void durationsParse() {
            DurationConverter c = new DurationConverter();
            assertThat(c.convert("250ms")).isEqualTo(Duration.ofMillis(250));
            assertThat(c.convert("0")).isEqualTo(Duration.ZERO);
            assertThat(c.convert("2m")).isEqualTo(Duration.ofMinutes(2));
            assertThat(c.convert("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
        }

        @Test
        void jsonEscapes() {
            assertThat(new JsonObject().put("m", "a\"b\\c\nd\u0001").toString())
                    .isEqualTo("{\"m\":\"a\\\"b\\\\c\\nd\\u0001\"}");
        }
    }

    /** CAP_SYS_ADMIN (bit 21) in this process's effective set. */
    record ChildRun(int exitCode, String err) {
    }

    /** The overseer in a child JVM whose bounding set lacks CAP_SYS_ADMIN (setpriv must be installed). */
    private static ChildRun runWithoutCapSysAdmin(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("setpriv", "--bounding-set=-sys_admin", "--inh-caps=-sys_admin",
                "--", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OverseerCommand.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the child ended").isTrue();
            return new ChildRun(p.exitValue(), err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            p.destroyForcibly();
        }
    }

    private static boolean hasCapSysAdmin() throws IOException {
        String capEff = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("CapEff:")).findFirst().orElseThrow().substring(7).trim();
        return (Long.parseUnsignedLong(capEff, 16) & (1L << 21)) != 0;
    }
}
