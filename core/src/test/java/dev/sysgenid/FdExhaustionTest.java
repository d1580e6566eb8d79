/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.sysgenid.internal.LibC;
import dev.sysgenid.testing.OpenFds;

/**
 * Fault injection: the process runs out of file descriptors at each open the library makes. A
 * child JVM started with a low {@code ulimit -n} fills its table up to the limit, then frees
 * 0, 1, 2, ... fds and tries every operation that opens one (a watcher, an overseer, a mapping,
 * a loop: epoll fd, then eventfd; a new simulated device: its memfd). Each must either succeed or fail with {@link
 * FileLimitException}; afterwards the library holds exactly the fds it held before, and a
 * registration made before the exhaustion is still served.
 */
class FdExhaustionTest {

    /** Few enough to fill in no time, enough for the JVM and the test runner's jars. */
    private static final int FD_LIMIT = 512;

    @Test
    void runningOutOfFdsAtEachOpenGivesATypedErrorLeaksNothingAndTheDeviceGoesOn() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String nativeAccess = Runtime.version().feature() >= 22 ? "--enable-native-access=ALL-UNNAMED " : "";
        String command = "ulimit -n " + FD_LIMIT + " && exec '" + java + "' " + nativeAccess
                + "-cp '" + System.getProperty("java.class.path") + "' '" + Child.class.getName() + "'";
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.add(line);
            }
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join("\n", out)).isZero();
        List<String> outcomes = out.stream().map(line -> line.replaceFirst("(: FileLimitException):.*", "$1")).toList();
        assertThat(outcomes).as("every open site was reached with no fd left").contains(
                "free=0 watcher: FileLimitException", "free=0 overseer: FileLimitException",
                "free=0 loop: FileLimitException", "free=1 loop: FileLimitException",
                "free=0 new device: FileLimitException",
                "free=1 watcher: FileLimitException", // a simulated watcher is a pipe: two fds
                // watch() starts the device's loop before it opens the watcher
                "free=1 watch on a new device: FileLimitException", // the memfd, then no epoll fd
                "free=2 watch on a new device: FileLimitException", // and the epoll fd, then no eventfd
                "free=3 watch on a new device: FileLimitException"); // and the eventfd, then no pipe
        assertThat(out).filteredOn(line -> line.contains(": FileLimitException:")).as("what the errors say")
                .allSatisfy(line -> assertThat(line).contains("two (a pipe) on the simulated device"));
        assertThat(out).last().isEqualTo("OK");
    }

    /** Runs in the JVM with the low limit; prints one line per free count and site, then OK. */
    public static final class Child {

        public static void main(String[] args) throws Exception {
            loadLibraryClasses();
            ExecutorService executor = Executors.newSingleThreadExecutor();
            try (SimulatedDevice device = SimulatedDevice.create()) {
                BlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
                Watcher bystander = device.openWatcher();
                bystander.setTracking(true);
                device.loop().register(bystander, executor, (reg, g) -> {
                    reg.acknowledge(g);
                    seen.add(g);
                });
                served(device, seen); // also loads every class the checks need before fds run out
                attempt(device, Integer.MAX_VALUE);
                new FileLimitException("warm-up", 24).getMessage();
                // the loop releases a closed registration's watcher on its thread: once it has
                // served the next change, the attempt's watcher (two fds: its pipe) is gone too
                served(device, seen);
                int base = OpenFds.count();
                for (int free = 0; free <= 8; free++) {
                    List<Integer> fillers = fill(free);
                    List<String> results = attempt(device, free);
                    for (int fd : fillers) {
                        LibC.close(fd);
                    }
                    results.forEach(System.out::println);
                    int now = OpenFds.settle(base);
                    if (now != base) {
                        throw new AssertionError("free=" + free + ": the library holds " + now + " fds, before " + base
                                + ": " + OpenFds.describe());
                    }
                    served(device, seen);
                }
            } finally {
                executor.shutdownNow();
            }
            System.out.println("OK");
        }

        /**
         * Loads every class of the library and of this test before the fds run out: a class
         * file read from a directory needs an fd of its own (a jar's is open already).
         */
        private static void loadLibraryClasses() throws Exception {
            Path root = Path.of(EpollLoop.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path self = Path.of(Child.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir : List.of(root, self)) {
                if (!java.nio.file.Files.isDirectory(dir)) {
                    continue;
                }
                try (var files = java.nio.file.Files.walk(dir.resolve("dev/sysgenid"))) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        String name = dir.relativize(f).toString();
                        if (name.endsWith(".class") && !name.contains("/bench/")) {
                            Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false,
                                    Child.class.getClassLoader());
                        }
                    }
                }
            }
        }

        /** Opens /dev/null until the table is full, then closes {@code free} of them again. */
        private static List<Integer> fill(int free) {
            List<Integer> fds = new ArrayList<>();
            while (true) {
                int fd = LibC.open("/dev/null", LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
                if (fd < 0) {
                    break;
                }
                fds.add(fd);
            }
            for (int i = 0; i < free; i++) {
                LibC.close(fds.remove(fds.size() - 1));
            }
            return fds;
        }

        /** Tries every opening operation in turn; closes what succeeded. */
        private static List<String> attempt(SimulatedDevice device, int free) throws Exception {
            List<String> results = new ArrayList<>();
            List<AutoCloseable> opened = new ArrayList<>();
            String prefix = "free=" + (free == Integer.MAX_VALUE ? "all" : free) + " ";
            try {
                // first, and closed at once (so the others see every free fd): GenerationDevice.watch
                // on a device of its own runs out at each of its steps in turn (the device's memfd,
                // the watcher's pipe, the loop's epoll fd, its eventfd)
                results.add(prefix + "watch on a new device: " + outcome(() -> {
                    try (SimulatedDevice fresh = SimulatedDevice.create()) {
                        fresh.watch(true, Runnable::run, (r, g) -> r.acknowledge(g)); // closed with the device
                    }
                }));
                results.add(prefix + "watcher: " + outcome(() -> opened.add(device.watch(true, Runnable::run,
                        (r, g) -> r.acknowledge(g)))));
                results.add(prefix + "overseer: " + outcome(() -> opened.add(device.overseer())));
                results.add(prefix + "probe: " + outcome(() -> opened.add(device.mapProbe())));
                results.add(prefix + "loop: " + outcome(() -> opened.add(new EpollLoop("exhausted"))));
                results.add(prefix + "new device: " + outcome(() -> opened.add(SimulatedDevice.create())));
            } finally {
                for (int i = opened.size() - 1; i >= 0; i--) {
                    opened.get(i).close();
                }
            }
            return results;
        }

        interface Site {
            void run() throws Exception;
        }

        private static String outcome(Site site) throws Exception {
            try {
                site.run();
                return "ok";
            } catch (FileLimitException e) {
                return "FileLimitException: " + e.getMessage();
            }
        }

        private static void served(SimulatedDevice device, BlockingQueue<Integer> seen) throws Exception {
            int g = device.bump();
            Integer got;
            do {
                got = seen.poll(10, TimeUnit.SECONDS);
                if (got == null) {
                    throw new AssertionError("the registration made before was not served after a bump");
                }
            } while (got != g);
            try (Overseer o = device.overseer()) {
                if (!o.awaitWatchers(Duration.ofSeconds(10)).allAcknowledged()) {
                    throw new AssertionError("the overseer's wait did not end");
                }
            }
        }
    }
}
