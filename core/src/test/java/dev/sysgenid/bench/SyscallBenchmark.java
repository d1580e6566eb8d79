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

import dev.sysgenid.internal.LibC;
import dev.sysgenid.internal.NativeBuffer;
import dev.sysgenid.internal.Syscalls;

/**
 * What one data-path system call costs through {@link Syscalls}: an 8-byte write to an eventfd
 * and the read that empties it (two system calls per operation, the shape of an acknowledgement
 * and a read of the device), once through {@code java.lang.foreign} (JDK 22+) and once forced to
 * JNA, in separate forks of the same run. The kernel's part is the same in both, so the
 * difference is the call path's own cost. On JDK 17-21 both forks use JNA.
 *
 * <p>Run: {@code mvn -B -q -f core/pom.xml -Pbench test-compile exec:exec -Dbench.args=SyscallBenchmark}
 * (with {@code JAVA_HOME} a JDK 22+ for the foreign fork to differ).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SyscallBenchmark {

    private final Syscalls.CallState state = new Syscalls.CallState();
    private final NativeBuffer buf = new NativeBuffer(8);
    private final long addr = buf.address();
    private int eventFd;

    @Setup
    public void open() {
        eventFd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        buf.putLong(0, 1);
    }

    @TearDown
    public void close() {
        LibC.close(eventFd);
    }

    private long writeThenRead() {
        long w = Syscalls.write(state, eventFd, addr, 8);
        long r = Syscalls.read(state, eventFd, addr, 8);
        if (w != 8 || r != 8) {
            throw new IllegalStateException("eventfd write " + w + ", read " + r + " (" + Syscalls.IMPLEMENTATION + ")");
        }
        return r;
    }

    @Benchmark
    @Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
    public long foreignWriteRead() {
        return writeThenRead();
    }

    @Benchmark
    @Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Dsysgenid.syscalls.jna=true"})
    public long jnaWriteRead() {
        return writeThenRead();
    }
}
