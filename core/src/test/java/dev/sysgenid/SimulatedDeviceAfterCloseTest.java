/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sysgenid.internal.DeviceBackend;
import dev.sysgenid.internal.DeviceFile;
import dev.sysgenid.internal.LibC;
import dev.sysgenid.internal.SimulatedKernel;
import dev.sysgenid.testing.OpenFds;

/**
 * A closed {@link SimulatedDevice} (also the production fallback of {@link
 * GenerationDevice#openOrSimulated}) must never touch memory or file descriptors it gave back:
 * every use of the device itself is a typed error, and what it handed out before the close
 * keeps working as on the real device. The crash case runs in a child JVM, since on a broken
 * simulation it kills the JVM that runs it.
 */
class SimulatedDeviceAfterCloseTest {

    @Test
    void triggerAndBumpAfterCloseAreNoCrashInAChildJvm(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("child.out");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        cmd.add("-Xmx64m");
        cmd.add("-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(UseAfterClose.class.getName());
        Process child = new ProcessBuilder(cmd)
                .redirectInput(new File("/dev/null"))
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ends").isTrue();
        String said = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as("child exit status (134 or 139: killed by SIGABRT/SIGSEGV); it said:%n%s", said)
                .isZero();
        assertThat(said).contains("TRIGGER 1")
                .contains("BUMP DeviceClosedException: device simulated is closed")
                .contains("TRIGGER 2")
                .contains("DONE");
        try (var hsErr = Files.list(dir)) {
            assertThat(hsErr.filter(p -> p.getFileName().toString().startsWith("hs_err"))).isEmpty();
        }
    }

    /** The child JVM's program: the sequence of the bug report, one line per step. */
    static final class UseAfterClose {
        public static void main(String[] args) {
            SimulatedDevice sim = SimulatedDevice.create();
            Overseer o = sim.overseer();
            sim.close();
            System.out.println("TRIGGER " + o.trigger());
            try {
                System.out.println("BUMP returned " + sim.bump());
            } catch (SysgenidException e) {
                System.out.println("BUMP " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            System.out.println("TRIGGER " + o.trigger());
            o.close();
            System.out.println("DONE");
        }
    }

    /** After close, the memfd's number is free: the next open takes it, and no mapping may reach it. */
    @Test
    void mapProbeAfterCloseIsATypedErrorAndNeverMapsTheFileThatReusedTheNumber(@TempDir Path dir) throws IOException {
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "\u0007\u0000\u0000\u0000not the counter");
        SimulatedDevice sim = SimulatedDevice.create();
        sim.close();
        int fd = LibC.open(secret.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        assertThat(fd).isNotNegative();
        try {
            assertThatThrownBy(sim::mapProbe).isInstanceOf(WatcherClosedException.class)
                    .hasMessageContaining("new device");
            long page = dev.sysgenid.internal.LibC.pageSize();
            assertThat(sim.mapRaw(page, LibC.PROT_READ, LibC.MAP_SHARED, 0)).as("raw mmap of the closed device")
                    .isNegative();
        } finally {
            LibC.close(fd);
        }
    }

    @Test
    void everyUseOfTheClosedDeviceItselfIsATypedError() {
        SimulatedDevice sim = SimulatedDevice.create();
        sim.close();
        sim.close();
        assertThatThrownBy(sim::bump).isInstanceOf(WatcherClosedException.class).hasMessageContaining("new device");
        assertThatThrownBy(sim::openWatcher).isInstanceOf(WatcherClosedException.class);
        assertThatThrownBy(sim::overseer).isInstanceOf(WatcherClosedException.class);
        assertThatThrownBy(sim::loop).isInstanceOf(WatcherClosedException.class);
        assertThatThrownBy(sim::currentGeneration).isInstanceOf(WatcherClosedException.class);
    }

    /** The simulated kernel's memfd and page go once the device and every file from it are closed. */
    @Test
    void theLastFileClosedAfterTheDeviceReleasesTheKernel() throws InterruptedException {
        OpenFds.warmUp();
        int before = OpenFds.count();
        SimulatedDevice sim = SimulatedDevice.create();
        Watcher w = sim.openWatcher();
        Overseer o = sim.overseer();
        sim.close();
        int g = o.trigger();
        assertThat(w.tryRead()).hasValue(g);
        w.close();
        assertThat(OpenFds.count()).as("the overseer's file and the kernel's memfd are still open").isGreaterThan(before);
        o.close();
        assertThat(OpenFds.count()).as(() -> "open fds: " + OpenFds.describe()).isEqualTo(before);
    }

    /**
     * Another thread closes the device between the check that it is open and the simulated
     * kernel's open or mmap (here: the backend closes it just before each): that is the closed
     * error too, not "module not loaded" or "mmap failed: ENODEV ... report it".
     */
    @Test
    void aCloseRacingOpenOrMapGivesTheClosedError() {
        for (boolean map : new boolean[] {false, true}) {
            CloseFirstBackend backend = new CloseFirstBackend(new SimulatedKernel(0, DriverProfile.OURS));
            BackedDevice device = new BackedDevice(backend, "racing") {
                @Override
                public boolean isSimulated() {
                    return true;
                }

                @Override
                public java.util.Optional<WatcherCounts> counts() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public DriverInfo driver() {
                    throw new UnsupportedOperationException();
                }
            };
            backend.device = device;
            assertThatThrownBy(map ? device::mapProbe : device::openWatcher).as(map ? "mapProbe" : "openWatcher")
                    .isInstanceOf(WatcherClosedException.class).hasMessageContaining("new device");
        }
    }

    /** The simulated kernel, with the device closed by "another thread" just before each open and map. */
    private static final class CloseFirstBackend implements DeviceBackend {
        private final SimulatedKernel kernel;
        BackedDevice device;

        CloseFirstBackend(SimulatedKernel kernel) {
            this.kernel = kernel;
        }

        @Override
        public DeviceFile open() {
            device.close();
            return kernel.open();
        }

        @Override
        public long map(long length, int prot, int flags, long offset) {
            device.close();
            return kernel.map(length, prot, flags, offset);
        }

        @Override
        public void close() {
            kernel.close();
        }
    }
}
