/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sysgenid.internal.Errno;

/** Bad input: every failure is typed and says what to do; nothing leaks on the way. */
class DeviceErrorsTest {

    @TempDir
    Path dir;

    @Test
    void aMissingDeviceIsAbsentAndSaysHowToLoadTheModule() {
        Path missing = dir.resolve("sysgenid");
        assertThat(GenerationDevice.status(missing)).isEqualTo(DeviceStatus.ABSENT);
        assertThatThrownBy(() -> GenerationDevice.open(missing))
                .isInstanceOf(DeviceAbsentException.class)
                .hasMessageContaining("modprobe sysgenid")
                .hasMessageContaining(missing.toString());
    }

    @Test
    void aMissingDeviceFallsBackToTheSimulatedOneOnlyWhenAskedTo() {
        try (GenerationDevice d = GenerationDevice.openOrSimulated(dir.resolve("sysgenid"))) {
            assertThat(d.isSimulated()).isTrue();
            assertThat(d.name()).isEqualTo("simulated");
        }
    }

    @Test
    void aCharacterDeviceThatIsNotSysgenidIsRefused() {
        Path devNull = Path.of("/dev/null");
        assertThat(GenerationDevice.status(devNull)).isEqualTo(DeviceStatus.NOT_A_DEVICE);
        assertThatThrownBy(() -> GenerationDevice.open(devNull))
                .isInstanceOf(NotADeviceException.class)
                .hasMessageContaining("/dev/sysgenid");
        assertThatThrownBy(() -> GenerationDevice.openOrSimulated(devNull)).isInstanceOf(NotADeviceException.class);
    }

    @Test
    void aRegularFileOrADirectoryIsNotADevice() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "1234");
        assertThat(GenerationDevice.status(file)).isEqualTo(DeviceStatus.NOT_A_DEVICE);
        assertThatThrownBy(() -> GenerationDevice.open(file)).isInstanceOf(NotADeviceException.class);
        assertThat(GenerationDevice.status(dir)).isEqualTo(DeviceStatus.NOT_A_DEVICE);
        assertThatThrownBy(() -> GenerationDevice.open(dir)).isInstanceOf(NotADeviceException.class);
    }

    @Test
    void permissionDeniedNamesTheUdevRuleAndTheGroup() throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")), "root opens any file: see the mapping test below");
        Path locked = Files.createFile(dir.resolve("sysgenid"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("---------")));
        assertThat(GenerationDevice.status(locked)).isEqualTo(DeviceStatus.PERMISSION_DENIED);
        assertThatThrownBy(() -> GenerationDevice.open(locked)).isInstanceOf(DevicePermissionException.class);
    }

    @Test
    void eaccesAndEpermOnOpenArePermissionErrorsWithTheUdevRule() {
        for (int errno : new int[] {Errno.EACCES, Errno.EPERM}) {
            SysgenidException e = Failures.ofOpen("/dev/sysgenid", errno);
            assertThat(e).isInstanceOf(DevicePermissionException.class);
            assertThat(e.getMessage())
                    .contains(DevicePermissionException.UDEV_RULE)
                    .contains("MODE=\"0664\"")
                    .contains("for writing")
                    .contains("usermod -aG sysgenid");
            assertThat(e.errno()).isEqualTo(errno);
        }
    }

    /** The rule the message suggests is the one the package installs, spelled once. */
    @Test
    void theSuggestedUdevRuleIsTheShippedOne() throws Exception {
        Path shipped = Path.of(System.getProperty("user.dir")).resolve("../kernel-module/udev/60-sysgenid.rules");
        List<String> rules = Files.readAllLines(shipped).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .toList();
        assertThat(rules).containsExactly(DevicePermissionException.UDEV_RULE);
    }

    @Test
    void runningOutOfFileDescriptorsIsATypedErrorThatSaysWhichLimit() {
        SysgenidException e = Failures.ofOpen("/dev/sysgenid", Errno.EMFILE);
        assertThat(e).isInstanceOf(FileLimitException.class);
        assertThat(e.getMessage()).contains("ulimit -n").contains("LimitNOFILE");
    }

    @Test
    void runningOutOfFileDescriptorsOnAnyCallIsTheSameTypedError() {
        assertThat(Failures.of("reading /sys/class/misc/sysgenid/generation", Errno.EMFILE))
                .isInstanceOf(FileLimitException.class).hasMessageContaining("ulimit -n");
        assertThat(Failures.of("read", 5 /* EIO */)).isInstanceOf(DeviceIoException.class);
    }

    @Test
    void smallFilesAreReadWithLibcAloneAndMissingOnesReportEnoent() {
        assertThat(dev.sysgenid.internal.SmallFile.read("/proc/self/stat")).contains("(");
        assertThatThrownBy(() -> dev.sysgenid.internal.SmallFile.read(dir.resolve("none").toString()))
                .isInstanceOfSatisfying(dev.sysgenid.internal.ErrnoException.class,
                        e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
    }

    @Test
    void aClosedDeviceRefusesNewLoopsAndProbesClearly() {
        SimulatedDevice d = SimulatedDevice.create();
        d.close();
        d.close();
        assertThatThrownBy(d::loop).isInstanceOf(WatcherClosedException.class);
        assertThatThrownBy(d::currentGeneration).isInstanceOf(WatcherClosedException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void anUnexpectedErrnoIsNamedAndKeepsItsCause() {
        IllegalStateException cause = new IllegalStateException("underneath");
        DeviceIoException e = new DeviceIoException("open(/dev/sysgenid)", 17, cause);
        assertThat(e).hasMessageStartingWith("open(/dev/sysgenid) failed: EEXIST (17).").hasCause(cause);
        assertThat(e.errno()).isEqualTo(17);
        assertThat(new DeviceIoException("read", 5)).hasMessageContaining("EIO (5)").hasNoCause();
    }

    /** A closed watcher, a closed device and an ended loop: one catchable type, three subtypes and messages. */
    @Test
    void aClosedOverseerSaysItIsTheOverseer() throws InterruptedException {
        try (SimulatedDevice d = SimulatedDevice.create()) {
            Overseer o = d.overseer();
            o.close();
            for (org.assertj.core.api.ThrowableAssert.ThrowingCallable call : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                    o::trigger, o::catchUp, () -> o.awaitWatchers(java.time.Duration.ofMillis(1)),
                    () -> o.awaitLatestGeneration(java.time.Duration.ofMillis(1)))) {
                assertThatThrownBy(call).isExactlyInstanceOf(WatcherClosedException.class)
                        .hasMessageStartingWith("overseer on simulated is closed");
            }
        }
    }

    @Test
    void aClosedWatcherAClosedDeviceAndAnEndedLoopSayWhichItIs() throws InterruptedException {
        SimulatedDevice d = SimulatedDevice.create();
        Watcher w = d.openWatcher();
        w.close();
        assertThatThrownBy(w::tryRead).isExactlyInstanceOf(WatcherClosedException.class)
                .hasMessageStartingWith("watcher on simulated is closed");
        java.util.concurrent.CompletableFuture<SysgenidException> ended = new java.util.concurrent.CompletableFuture<>();
        EpollLoop loop = d.loop();
        d.watch(false, Runnable::run, new GenerationListener() {
            @Override
            public void onGeneration(LoopRegistration registration, int generation) {
            }

            @Override
            public void onTerminated(SysgenidException cause) {
                ended.complete(cause);
            }
        });
        Watcher late = d.openWatcher();
        d.close();
        assertThat(ended).succeedsWithin(java.time.Duration.ofSeconds(10))
                .isInstanceOfSatisfying(LoopEndedException.class, e -> assertThat(e)
                        .hasMessageContaining("epoll loop sysgenid-epoll[simulated] is closed")
                        .hasMessageContaining("register again"));
        assertThatThrownBy(() -> loop.register(late, Runnable::run, (r, g) -> { }))
                .isInstanceOf(LoopEndedException.class);
        assertThat(late.isClosed()).as("the refused watcher is closed").isTrue();
        assertThatThrownBy(d::openWatcher).isInstanceOf(DeviceClosedException.class)
                .isInstanceOf(WatcherClosedException.class).hasMessageStartingWith("device simulated is closed")
                .hasMessageContaining("new device");
    }

    @Test
    void aClosedProbeNeverFaultsAndKeepsTheLastValue() {
        try (SimulatedDevice d = SimulatedDevice.create(41)) {
            GenerationProbe probe = d.mapProbe();
            d.bump();
            probe.close();
            probe.close();
            assertThat(probe.isClosed()).isTrue();
            d.bump();
            assertThat(probe.generation()).as("frozen at close").isEqualTo(42);
        }
    }
}
