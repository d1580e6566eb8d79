/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

class PollTest {

    /** Just enough pthread to interrupt one thread's system calls with a signal. */
    static final class Threads {
        static {
            Native.register(Threads.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        static native long pthread_self();

        static native int pthread_kill(long thread, int sig);
    }

    private static final int SIGPIPE = 13; // the JVM handles it (and ignores it): it interrupts, nothing else

    @Test
    void retriesOnlyWhileInterrupted() {
        AtomicInteger calls = new AtomicInteger();
        int r = Poll.retryInterrupted(() -> calls.incrementAndGet() < 3 ? -Errno.EINTR : -Errno.EBADF);
        assertThat(r).isEqualTo(-Errno.EBADF);
        assertThat(calls).hasValue(3);
    }

    @Test
    void pollInNowTellsReadableFromNot() {
        try (EventFd e = new EventFd()) {
            int fd = e.fd();
            assertThat(Poll.pollInNow(fd)).isZero();
            e.signal();
            assertThat(Poll.pollInNow(fd)).isEqualTo(1);
            e.reset();
            assertThat(Poll.pollInNow(fd)).isZero();
        }
    }

    /** A profiler's or the JVM's signals arrive at any time: the answer must not become an error. */
    @Test
    void pollInNowIsNotBrokenBySignals() throws Exception {
        int fd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        AtomicLong self = new AtomicLong();
        AtomicBoolean polling = new AtomicBoolean(true);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch sendingStopped = new CountDownLatch(1); // keeps the thread alive while signalled
        AtomicInteger unexpected = new AtomicInteger();
        Thread poller = new Thread(() -> {
            self.set(Threads.pthread_self());
            started.countDown();
            for (int i = 0; i < 20_000; i++) {
                if (Poll.pollInNow(fd) != 0) {
                    unexpected.incrementAndGet();
                }
            }
            polling.set(false);
            try {
                sendingStopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            poller.start();
            started.await();
            while (polling.get()) {
                Threads.pthread_kill(self.get(), SIGPIPE);
            }
            sendingStopped.countDown();
            poller.join();
            assertThat(unexpected).hasValue(0);
        } finally {
            sendingStopped.countDown();
            poller.join();
            LibC.close(fd);
        }
    }
}
