/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;


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

    /** Waits for {@code latch}, for at most 10 s; fails the test if it did not open. */
    static void await(java.util.concurrent.CountDownLatch latch) {
        try {
            if (!latch.await(DEADLINE_NANOS, java.util.concurrent.TimeUnit.NANOSECONDS)) {
                throw new AssertionError("latch still closed after 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** How many fds of the kinds this library opens (device, eventfd, epoll, memfd) are open. */
    static long openFds() {
        return dev.sysgenid.testing.OpenFds.count();
    }

    /** Every fd of this process, of any kind (the listing's own not counted): to set a limit from. */
    static int allOpenFds() {
        return new java.io.File("/proc/self/fd").list().length - 1;
    }
}
