/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

import com.sun.jna.Platform;

/**
 * The layout of {@code struct epoll_event} ({@code uint32_t events; uint64_t data}), for arrays
 * of them in a {@link NativeBuffer}: written once here, for every caller of epoll_ctl and
 * epoll_wait.
 */
public final class EpollEvent {

    /*
     * The kernel's uapi header declares the struct packed on x86-64 (EPOLL_PACKED), so that
     * 64-bit and 32-bit x86 programs share one layout: data follows events at offset 4, 12 bytes
     * in all (32-bit x86 gets the same from its 4-byte alignment of 64-bit integers). Every
     * other architecture aligns data naturally: offset 8, 16 bytes. JNA's isIntel is true for
     * both x86 flavours.
     */
    /** Bytes of one {@code struct epoll_event}. */
    public static final int SIZE = Platform.isIntel() ? 12 : 16;
    /** Offset of the {@code data} field. */
    public static final int DATA_OFFSET = Platform.isIntel() ? 4 : 8;

    private EpollEvent() {
    }

    /** A buffer for {@code count} events. */
    public static NativeBuffer allocate(int count) {
        return new NativeBuffer((long) count * SIZE);
    }

    /** Writes event {@code index} of {@code events}. */
    public static void put(NativeBuffer events, int index, int mask, long data) {
        events.putInt(index * SIZE, mask);
        events.putLong(index * SIZE + DATA_OFFSET, data);
    }

    /** {@return the data of event {@code index} of {@code events}} */
    public static long data(NativeBuffer events, int index) {
        return events.getLong(index * SIZE + DATA_OFFSET);
    }
}
