/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.e2e;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.GenerationListener;
import dev.sysgenid.LoopRegistration;
import dev.sysgenid.reactor.GenerationOptions;
import dev.sysgenid.reactor.ReactiveGenerations;

/**
 * The Java side of kernel-module/vm/run bench: N tracked subscribers on core's {@link
 * dev.sysgenid.EpollLoop} that acknowledge at once.
 *
 * <ul>
 * <li>{@code sub N OUTFILE [direct|pool|flux]}: registers N (or, {@code flux}, subscribes N
 *     tracked reactor-adapter Flux subscriptions that ack in onNext) and prints {@code SUB-READY N ...}
 *     (with the JVM's uptime and System.nanoTime, to place the JIT's log on the clock); the
 *     listener of subscriber 0 notes {@code GEN NANOTIME} (System.nanoTime is CLOCK_MONOTONIC,
 *     the clock of the C overseer) at entry; on SIGTERM the notes go to OUTFILE. {@code direct}
 *     (default) runs listeners on the loop thread, {@code pool} on a 2-thread pool.</li>
 * <li>{@code idle N SECONDS}: registers N, sleeps, prints the process's and the epoll thread's
 *     CPU time over the idle period.</li>
 * <li>{@code heap N}: used heap after GC with the device and loop up vs with N more
 *     registrations, divided by N.</li>
 * </ul>
 */
public final class BenchSubscribers {

    private BenchSubscribers() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[1]);
        switch (args[0]) {
            case "sub" -> sub(n, Path.of(args[2]), args.length > 3 ? args[3] : "direct");
            case "idle" -> idle(n, Integer.parseInt(args[2]));
            case "heap" -> heap(n);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static List<LoopRegistration> register(GenerationDevice device, int n, Executor executor,
                                                   GenerationListener first) {
        List<LoopRegistration> regs = new ArrayList<>(n);
        GenerationListener ackAtOnce = (reg, gen) -> reg.acknowledge(gen);
        for (int i = 0; i < n; i++) {
            regs.add(device.watch(true, executor, i == 0 && first != null ? first : ackAtOnce));
        }
        return regs;
    }

    static void sub(int n, Path out, String mode) throws Exception {
        GenerationDevice device = GenerationDevice.open(Path.of("/dev/sysgenid"));
        ExecutorService pool = mode.equals("pool") ? Executors.newFixedThreadPool(2) : null;
        Executor executor = pool != null ? pool : Runnable::run;
        int max = 100_000;
        int[] gens = new int[max];
        long[] times = new long[max];
        int[] count = new int[1];
        java.util.function.IntConsumer note = gen -> {
            long t = System.nanoTime();
            synchronized (count) { // uncontended: one call at a time per subscription
                if (count[0] < max) {
                    gens[count[0]] = gen;
                    times[count[0]++] = t;
                }
            }
        };
        int registered;
        if (mode.equals("flux")) {
            // reactor-adapter: N tracked Flux subscriptions, each acks at once in onNext
            ReactiveGenerations generations = ReactiveGenerations.of(device);
            GenerationOptions tracked = GenerationOptions.defaults().withTracked(true);
            for (int i = 0; i < n; i++) {
                boolean first = i == 0;
                generations.generations(tracked).subscribe(g -> {
                    if (first) {
                        note.accept(g.value());
                    }
                    g.ack().subscribe();
                });
            }
            while (trackedOn(device) < n) {
                Thread.sleep(50);
            }
            registered = n;
        } else {
            registered = register(device, n, executor, (reg, gen) -> {
                note.accept(gen);
                reg.acknowledge(gen);
            }).size();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
                synchronized (count) {
                    for (int i = 0; i < count[0]; i++) {
                        w.println(Integer.toUnsignedString(gens[i]) + " " + times[i]);
                    }
                }
            } catch (IOException e) {
                e.printStackTrace();
            }
        }));
        // The JVM's uptime and System.nanoTime at one moment: bench.sh maps the JIT's log
        // (timestamps in ms of uptime) to the overseer's clock with them.
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        long nanos = System.nanoTime();
        Checks.say("SUB-READY " + registered + " mode=" + mode + " uptime_ms=" + uptime + " nanotime=" + nanos);
        Thread.sleep(Long.MAX_VALUE);
    }

    static void idle(int n, int seconds) throws Exception {
        GenerationDevice device = GenerationDevice.open(Path.of("/dev/sysgenid"));
        register(device, n, Runnable::run, null);
        Thread.sleep(2000); // let start-up work (JIT, registrations) settle
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long loopId = -1;
        for (ThreadInfo ti : threads.dumpAllThreads(false, false)) {
            if (ti.getThreadName().startsWith("sysgenid-epoll")) {
                loopId = ti.getThreadId();
            }
        }
        long p0 = processCpuNanos();
        long l0 = threads.getThreadCpuTime(loopId);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long wall = System.nanoTime() - t0;
        long p1 = processCpuNanos();
        long l1 = threads.getThreadCpuTime(loopId);
        Checks.say(String.format("DATA idle n=%d wall_ms=%d process_cpu_ms=%.1f epoll_thread_cpu_ms=%.3f",
                n, wall / 1_000_000, (p1 - p0) / 1e6, (l1 - l0) / 1e6));
        System.exit(0);
    }

    static void heap(int n) throws Exception {
        GenerationDevice device = GenerationDevice.open(Path.of("/dev/sysgenid"));
        List<LoopRegistration> warm = register(device, 1, Runnable::run, null); // loop up, classes loaded
        ReactiveGenerations generations = ReactiveGenerations.of(device);
        GenerationOptions tracked = GenerationOptions.defaults().withTracked(true);
        List<reactor.core.Disposable> fluxWarm = new ArrayList<>();
        fluxWarm.add(generations.generations(tracked).subscribe(g -> g.ack().subscribe()));
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long used0 = usedAfterGc(mem);
        List<LoopRegistration> regs = register(device, n, Runnable::run, null);
        Thread.sleep(500);
        long used1 = usedAfterGc(mem);
        List<reactor.core.Disposable> subs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            subs.add(generations.generations(tracked).subscribe(g -> g.ack().subscribe()));
        }
        while (trackedOn(device) < 2 * n + 2) {
            Thread.sleep(50);
        }
        long used2 = usedAfterGc(mem);
        Checks.say(String.format("DATA heap n=%d used0=%d used1=%d used2=%d per_subscription_bytes=%d per_flux_subscription_bytes=%d",
                n, used0, used1, used2, (used1 - used0) / n, (used2 - used1) / n));
        if (regs.size() + warm.size() + subs.size() + fluxWarm.size() < 0) {
            System.out.println(); // keep every list reachable until here
        }
        System.exit(0);
    }

    /** utime + stime of this process from /proc/self/stat (clock ticks, USER_HZ = 100). */
    private static long processCpuNanos() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    }

    private static long usedAfterGc(MemoryMXBean mem) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }

    /** The bench waits for its subscribers by the driver's counts: it runs on this project's module only. */
    private static int trackedOn(GenerationDevice device) {
        return device.counts().orElseThrow(() -> new IllegalStateException("the bench needs the driver's watcher"
                + " counts: " + device.driver().description() + " reports none")).trackedWatchers();
    }
}
