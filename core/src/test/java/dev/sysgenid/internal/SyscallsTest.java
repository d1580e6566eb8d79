/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/** The data-path calls: results and errno as the loop and the device file rely on them. */
class SyscallsTest {

    private final Syscalls.CallState state = new Syscalls.CallState();
    private final Memory buf = new Memory(64);
    private final ByteBuffer view = buf.getByteBuffer(0, 64).order(ByteOrder.nativeOrder());
    private final long addr = Pointer.nativeValue(buf);
    private int eventFd;

    @BeforeEach
    void open() {
        eventFd = Fds.eventfd();
    }

    @AfterEach
    void close() {
        LibC.close(eventFd);
        buf.close();
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
        try (Memory ev = new Memory(16)) {
            ByteBuffer evView = ev.getByteBuffer(0, 16).order(ByteOrder.nativeOrder());
            evView.putInt(0, LibC.EPOLLIN);
            evView.putLong(com.sun.jna.Platform.isIntel() ? 4 : 8, 7L); // packed on x86-64
            assertThat(LibC.epoll_ctl(ep, LibC.EPOLL_CTL_ADD, eventFd, Pointer.nativeValue(ev))).isZero();
            assertThat(Syscalls.epollWait(state, ep, addr, 4, 0)).isZero();
            Fds.signal(eventFd);
            assertThat(Syscalls.epollWait(state, ep, addr, 4, 1000)).isEqualTo(1);
            assertThat(view.getInt(0) & LibC.EPOLLIN).isEqualTo(LibC.EPOLLIN);
        } finally {
            LibC.close(ep);
        }
    }
}
