/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sysgenid.SimulatedDevice;

class SnapshotSafeSplittableRandomTest {

    private static long[] draw(SnapshotSafeSplittableRandom r) {
        return LongStream.generate(r::nextLong).limit(8).toArray();
    }

    @Test
    void clonesAgreeUntilTheGenerationMovesThenDiffer() {
        try (SimulatedDevice device = SimulatedDevice.create(); GenerationGuard guard = GenerationGuard.watching(device)) {
            SnapshotSafeSplittableRandom a = new SnapshotSafeSplittableRandom(guard, 42);
            SnapshotSafeSplittableRandom b = new SnapshotSafeSplittableRandom(guard, 42);
            assertThat(draw(a)).as("the clone problem, modelled").isEqualTo(draw(b));
            assertThat(a.nextInt(1000)).isEqualTo(b.nextInt(1000));

            device.bump();

            assertThat(draw(a)).isNotEqualTo(draw(b));
            assertThat(a.reseeds()).isEqualTo(1);
            assertThat(b.reseeds()).isEqualTo(1);
            draw(a);
            assertThat(a.reseeds()).as("once per generation").isEqualTo(1);
        }
    }

    @Test
    void everyRandomGeneratorMethodGoesThroughTheCheck() {
        try (SimulatedDevice device = SimulatedDevice.create(); GenerationGuard guard = GenerationGuard.watching(device)) {
            SnapshotSafeSplittableRandom r = new SnapshotSafeSplittableRandom(guard);
            device.bump();
            r.nextDouble();
            device.bump();
            r.nextBytes(new byte[5]);
            device.bump();
            r.nextInt();
            assertThat(r.reseeds()).isEqualTo(3);
        }
    }

    @Test
    void unsupportedIsAPlainSplittableRandom(@TempDir Path dir) {
        try (GenerationGuard guard = GenerationGuard.open(dir.resolve("absent"))) {
            SnapshotSafeSplittableRandom a = new SnapshotSafeSplittableRandom(guard, 7);
            SnapshotSafeSplittableRandom b = new SnapshotSafeSplittableRandom(guard, 7);
            assertThat(draw(a)).isEqualTo(draw(b));
            assertThat(a.reseeds()).isZero();
        }
    }

    @Test
    void failedReseedsOnEveryCall(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "");
        try (GenerationGuard guard = GenerationGuard.open(file)) {
            SnapshotSafeSplittableRandom a = new SnapshotSafeSplittableRandom(guard, 7);
            SnapshotSafeSplittableRandom b = new SnapshotSafeSplittableRandom(guard, 7);
            assertThat(a.nextLong()).isNotEqualTo(b.nextLong());
            a.nextLong();
            assertThat(a.reseeds()).isEqualTo(2);
        }
    }
}
