/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Waits for what the epoll loop does on its own thread (it closes a cancelled subscription's fd
 * moments after the cancel) without sleeping for a fixed time.
 */
final class Eventually {

    private static final long DEADLINE_NANOS = 10_000_000_000L;

    private Eventually() {
    }

    /** Runs {@code check} until it stops failing, for at most 10 s; then rethrows its last failure. */
    static void eventually(Runnable check) {
        long end = System.nanoTime() + DEADLINE_NANOS;
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > end) {
                    throw e;
                }
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** How many file descriptors this process has open. */
    static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count() - 1; // the directory stream's own fd
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
