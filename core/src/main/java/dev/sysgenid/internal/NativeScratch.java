/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * Eight bytes of native memory per thread, for the 4-byte read and write of a device file. A
 * system call then takes a plain address: JNA passes a {@code long} as is, where a Java array
 * argument costs a copy in and out through the JVM on every call. The value is put and got
 * through a direct-buffer view, in Java, not through another native call.
 *
 * <p>Each thread gets its own buffer, so concurrent calls never share one; a buffer is freed
 * with its {@link Memory} once its thread has ended. Owned by one device backend (no static
 * state).
 */
final class NativeScratch {

    /** One thread's buffer. */
    static final class Slot {
        private final Memory memory = new Memory(8);
        final long address = Pointer.nativeValue(memory);
        private final ByteBuffer view = memory.getByteBuffer(0, 8).order(ByteOrder.nativeOrder());
        /** This thread's errno buffer for {@link Syscalls}. */
        final Syscalls.CallState callState = new Syscalls.CallState();

        int getInt() {
            return view.getInt(0);
        }

        void putInt(int value) {
            view.putInt(0, value);
        }

        void putHighInt(int value) {
            view.putInt(4, value);
        }
    }

    private final ThreadLocal<Slot> slots = ThreadLocal.withInitial(Slot::new);

    /** This thread's buffer. */
    Slot slot() {
        return slots.get();
    }
}
