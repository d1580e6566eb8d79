/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.sysgenid.SimulatedDevice;
import dev.sysgenid.Watcher;

/**
 * What opening a watcher costs, with its close: the open(2) (an eventfd on the simulated
 * device), the watcher object, the record of where it was opened (one stack frame, for the
 * warning if it is ever abandoned) and its {@link java.lang.ref.Cleaner} registration. Run it
 * before and after a change to the open path:
 * {@code mvn -B -q -f core/pom.xml -Pbench test-compile exec:exec -Dbench.args=WatcherOpenBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class WatcherOpenBenchmark {

    private SimulatedDevice device;

    @Setup
    public void setUp() {
        device = SimulatedDevice.create();
    }

    @TearDown
    public void tearDown() {
        device.close();
    }

    @Benchmark
    public boolean openAndClose() {
        Watcher w = device.openWatcher();
        w.close();
        return w.isClosed();
    }
}
