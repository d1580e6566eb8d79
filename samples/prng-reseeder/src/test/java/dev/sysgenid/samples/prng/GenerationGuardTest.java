/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sysgenid.DeviceAbsentException;
import dev.sysgenid.NotADeviceException;
import dev.sysgenid.SimulatedDevice;

class GenerationGuardTest {

    @Test
    void absentDeviceIsUnsupported(@TempDir Path dir) {
        try (GenerationGuard g = GenerationGuard.open(dir.resolve("sysgenid"))) {
            assertThat(g.state()).isEqualTo(ProtectionState.UNSUPPORTED);
            assertThat(g.failure()).containsInstanceOf(DeviceAbsentException.class);
            assertThat(g.generation()).isZero();
            assertThat(g.device()).isEmpty();
            assertThat(g.describe()).startsWith("not snapshot-safe").contains("modprobe");
        }
    }

    @Test
    void somethingElseIsFailed(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "");
        for (Path p : new Path[] {file, Path.of("/dev/null")}) {
            try (GenerationGuard g = GenerationGuard.open(p)) {
                assertThat(g.state()).isEqualTo(ProtectionState.FAILED);
                assertThat(g.failure()).containsInstanceOf(NotADeviceException.class);
                assertThat(g.describe()).startsWith("degraded").contains("every call");
            }
        }
    }

    /** A closed guard can no longer see a change: FAILED, and a generator on it reseeds every call. */
    @Test
    void aClosedGuardIsFailedAndItsGeneratorsReseedOnEveryCall() {
        try (SimulatedDevice device = SimulatedDevice.create()) {
            GenerationGuard guard = GenerationGuard.watching(device);
            SnapshotSafeSplittableRandom a = new SnapshotSafeSplittableRandom(guard, 42L);
            SnapshotSafeSplittableRandom b = new SnapshotSafeSplittableRandom(guard, 42L);
            assertThat(a.nextLong()).isEqualTo(b.nextLong());
            guard.close();
            assertThat(guard.state()).isEqualTo(ProtectionState.FAILED);
            assertThat(guard.failure()).get().asString().contains("was closed");
            device.bump();
            assertThat(a.nextLong()).as("clones after a change").isNotEqualTo(b.nextLong());
            assertThat(a.reseeds()).isEqualTo(1);
        }
    }

    @Test
    void watchingFollowsTheCounterAndLeavesTheDeviceOpen() {
        try (SimulatedDevice device = SimulatedDevice.create(41)) {
            GenerationGuard g = GenerationGuard.watching(device);
            assertThat(g.state()).isEqualTo(ProtectionState.ACTIVE);
            assertThat(g.generation()).isEqualTo(41);
            device.bump();
            assertThat(g.generation()).isEqualTo(42);
            assertThat(g.describe()).contains("simulated", "generation 42");
            g.close();
            g.close();
            assertThat(device.bump()).isEqualTo(43);
            assertThat(device.currentGeneration()).isEqualTo(43);
        }
    }
}
