/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.testing;

import java.io.File;

import dev.sysgenid.GenerationProbe;
import dev.sysgenid.Overseer;
import dev.sysgenid.SimulatedDevice;

/**
 * Counts this process's file descriptors of the kinds this library opens, for leak checks. In
 * a package of its own, outside the library's module: the other modules' tests use it from
 * core's test-jar.
 */
public final class OpenFds {

    private OpenFds() {
    }

    /**
     * Runs the device, loop, overseer and probe paths once, so that what the JVM, libffi and the
     * JDK open lazily on first use (/dev/urandom, a trampoline file) is open before a baseline.
     */
    public static void warmUp() throws InterruptedException {
        java.util.concurrent.ExecutorService ex = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (SimulatedDevice d = SimulatedDevice.create(); Overseer o = d.overseer(); GenerationProbe p = d.mapProbe()) {
            java.util.concurrent.CountDownLatch seen = new java.util.concurrent.CountDownLatch(1);
            d.loop().register(d.openWatcher(), ex, (r, g) -> {
                r.acknowledge(g);
                seen.countDown();
            });
            o.trigger();
            seen.await(5, java.util.concurrent.TimeUnit.SECONDS);
            o.awaitWatchers(java.time.Duration.ofMillis(10));
            p.generation();
            new java.security.SecureRandom().nextInt();
        } finally {
            ex.shutdownNow();
        }
    }

    /**
     * How many fds of the kinds this library opens the process holds: device files, eventfds,
     * epoll instances, memfds, pipes (the simulated device's watchers). Jars, sockets and
     * /dev/urandom that the JVM or the test runner open lazily, at any moment, are not counted:
     * they would make a leak check flaky.
     */
    public static int count() {
        int n = 0;
        for (String target : targets()) {
            if (target.startsWith("anon_inode:") || target.startsWith("pipe:") || target.contains("memfd:")
                    || target.contains("sysgenid")) {
                n++;
            }
        }
        return n;
    }

    private static java.util.List<String> targets() {
        return links().values().stream().filter(java.util.Objects::nonNull).toList();
    }

    /** The targets of the open fds, for a leak report. */
    public static java.util.List<String> describe() {
        return links().entrySet().stream().map(e -> e.getKey() + " -> " + (e.getValue() == null ? "?" : e.getValue()))
                .toList();
    }

    /** Each open fd and its target (null if it closed between the listing and the readlink). */
    private static java.util.Map<String, String> links() {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        String[] names = new File("/proc/self/fd").list();
        if (names != null) {
            for (String n : names) {
                try {
                    out.put(n, java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd", n)).toString());
                } catch (java.io.IOException | UnsupportedOperationException e) {
                    out.put(n, null); // closed between list and readlink (the listing's own fd, say)
                }
            }
        }
        return out;
    }

    /** Waits up to two seconds for the count to drop back to {@code expected} (closes may lag a task). */
    public static int settle(int expected) throws InterruptedException {
        int n = count();
        for (int i = 0; i < 200 && n > expected; i++) {
            Thread.sleep(10);
            n = count();
        }
        return n;
    }
}
