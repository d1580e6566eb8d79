/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

/**
 * Eight bytes of native memory per thread, for the 4-byte read and write of a device file. A
 * system call then takes a plain address: JNA passes a {@code long} as is, where a Java array
 * argument costs a copy in and out through the JVM on every call. The value is put and got
 * in Java ({@link NativeBuffer}), not through another native call.
 *
 * <p>Each thread gets its own buffer, so concurrent calls never share one; a buffer is freed
 * when collected once its thread has ended. Owned by one device backend (no static
 * state).
 */
final class NativeScratch {

    /** One thread's buffer. */
    static final class Slot {
        private final NativeBuffer buffer = new NativeBuffer(8);
        final long address = buffer.address();
        /** This thread's errno buffer for {@link Syscalls}. */
        final Syscalls.CallState callState = new Syscalls.CallState();

        int getInt() {
            return buffer.getInt(0);
        }

        void putInt(int value) {
            buffer.putInt(0, value);
        }

        void putHighInt(int value) {
            buffer.putInt(4, value);
        }
    }

    private final ThreadLocal<Slot> slots = ThreadLocal.withInitial(Slot::new);

    /** This thread's buffer. */
    Slot slot() {
        return slots.get();
    }
}
