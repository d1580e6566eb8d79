/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.GenerationProbe;
import dev.sysgenid.SystemGenerationProbe;

/**
 * The in-line check's cost: {@link GenerationProbe} and {@link SystemGenerationProbe} against a
 * plain volatile int field, in the same run. The probe maps the counter page through the device's own code path: the real
 * {@code /dev/sysgenid} when present, else the simulated device's memfd page. Target: probe /
 * field time ratio at most 1.2.
 *
 * <p>Two shapes: one read per operation (dominated by JMH's own per-call cost), and 64 reads
 * per operation as in a hot loop that checks on every call. Each in both access modes (the
 * default for this JDK, and the VarHandle mode forced).
 *
 * <p>Run: {@code mvn -B -q -f core/pom.xml -Pbench test-compile exec:exec}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class GenerationProbeBenchmark {

    private static final int N = 64;
    private static final String VARHANDLE = "-Dsysgenid.probe.access=varhandle";

    private volatile int field;
    private GenerationDevice device;
    private GenerationProbe probe;
    private int seen;

    @Setup(Level.Trial)
    public void setUp() throws java.io.IOException {
        if (GenerationDevice.status(GenerationDevice.DEFAULT_PATH) == dev.sysgenid.DeviceStatus.ABSENT) {
            // SystemGenerationProbe maps a page-sized /dev/shm file through the same code path
            java.nio.file.Path page = java.nio.file.Files.createTempFile(java.nio.file.Path.of("/dev/shm"), "sysgenid-bench", ".page");
            java.nio.file.Files.write(page, new byte[(int) dev.sysgenid.internal.LibC.pageSize()]);
            page.toFile().deleteOnExit();
            System.setProperty("sysgenid.device", page.toString());
        }
        device = GenerationDevice.openOrSimulated(GenerationDevice.DEFAULT_PATH);
        probe = device.mapProbe();
        seen = probe.generation();
        field = seen;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        probe.close();
        device.close();
    }

    @Benchmark
    public int fieldRead() {
        return field;
    }

    @Benchmark
    public int probeRead() {
        return probe.generation();
    }

    @Benchmark
    public int systemProbeRead() {
        return SystemGenerationProbe.generation();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public int systemProbeCheckLoop() {
        int changed = 0;
        for (int i = 0; i < N; i++) {
            changed += SystemGenerationProbe.hasChangedSince(seen) ? 1 : 0;
        }
        return changed;
    }

    @Benchmark
    @Fork(value = 2, jvmArgsAppend = VARHANDLE)
    public int probeReadVarHandle() {
        return probe.generation();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public int fieldCheckLoop() {
        int changed = 0;
        for (int i = 0; i < N; i++) {
            changed += field != seen ? 1 : 0;
        }
        return changed;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public int probeCheckLoop() {
        GenerationProbe p = probe;
        int changed = 0;
        for (int i = 0; i < N; i++) {
            changed += p.hasChangedSince(seen) ? 1 : 0;
        }
        return changed;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    @Fork(value = 2, jvmArgsAppend = VARHANDLE)
    public int probeCheckLoopVarHandle() {
        GenerationProbe p = probe;
        int changed = 0;
        for (int i = 0; i < N; i++) {
            changed += p.hasChangedSince(seen) ? 1 : 0;
        }
        return changed;
    }
}
