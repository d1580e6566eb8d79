/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The data-path calls: results and errno as the loop and the device file rely on them. */
class SyscallsTest {

    private final Syscalls.CallState state = new Syscalls.CallState();
    private final NativeBuffer view = new NativeBuffer(64);
    private final long addr = view.address();
    private int eventFd;

    @BeforeEach
    void open() {
        eventFd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
    }

    @AfterEach
    void close() {
        LibC.close(eventFd);
        view.close();
    }

    @Test
    void usesTheForeignLinkerWhereTheJdkHasOne() {
        // under --enable-native-access (the build's tests on JDK 22+), a silent fall-back to JNA is a regression
        String expected = Runtime.version().feature() >= 22 ? "java.lang.foreign" : "JNA";
        assertThat(Syscalls.IMPLEMENTATION).isEqualTo(expected);
    }

    @Test
    void writeAndReadMoveTheBytes() {
        view.putLong(0, 42);
        assertThat(Syscalls.write(state, eventFd, addr, 8)).isEqualTo(8);
        view.putLong(0, 0);
        assertThat(Syscalls.read(state, eventFd, addr, 8)).isEqualTo(8);
        assertThat(view.getLong(0)).isEqualTo(42);
    }

    @Test
    void failuresReturnTheirErrno() {
        assertThat(Syscalls.read(state, eventFd, addr, 8)).isEqualTo(-Errno.EAGAIN); // empty, non-blocking
        assertThat(Syscalls.read(state, eventFd, addr, 4)).isEqualTo(-Errno.EINVAL); // an eventfd wants 8 bytes
        assertThat(Syscalls.write(state, -1, addr, 8)).isEqualTo(-Errno.EBADF);
        assertThat(Syscalls.epollWait(state, eventFd, addr, 1, 0)).isEqualTo(-Errno.EINVAL); // not an epoll fd
    }

    @Test
    void epollWaitReportsTheReadyFd() {
        int ep = LibC.epoll_create1(LibC.EPOLL_CLOEXEC);
        try (NativeBuffer ev = EpollEvent.allocate(1)) {
            EpollEvent.put(ev, 0, LibC.EPOLLIN, 7L);
            assertThat(LibC.epoll_ctl(ep, LibC.EPOLL_CTL_ADD, eventFd, ev.address())).isZero();
            assertThat(Syscalls.epollWait(state, ep, addr, 4, 0)).isZero();
            LibC.write(eventFd, new long[] {1L}, 8);
            assertThat(Syscalls.epollWait(state, ep, addr, 4, 1000)).isEqualTo(1);
            assertThat(view.getInt(0) & LibC.EPOLLIN).isEqualTo(LibC.EPOLLIN);
            assertThat(EpollEvent.data(view, 0)).as("the data, where the layout says").isEqualTo(7L);
        } finally {
            LibC.close(ep);
        }
    }
}
