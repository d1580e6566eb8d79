/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * A block of native memory the library allocates for a system call's arguments (an {@code
 * epoll_event} array, a {@code pollfd}, a read or write buffer, FFM's errno capture). It is
 * passed to the call as a plain address and read and written in Java, in native byte order.
 * Not thread-safe: one owner at a time, or written once and then only read.
 */
public final class NativeBuffer implements AutoCloseable {

    /*
     * The one way the library touches memory it allocates. JNA's Memory allocates and frees it
     * (and frees it when collected if close is missed); the address goes to the call as a long
     * (what both JNA's direct mapping and an FFM downcall take as is, with no copy), and the
     * fields are read and written through a direct ByteBuffer view: plain loads and stores once
     * the JIT has compiled them, where Memory.getInt/setInt is a JNI call per field and a Java
     * array argument is copied in and out on every call. The mapped counter page is not memory
     * we allocate: PageAccess reads it, one load, apart.
     */
    private final Memory memory;
    private final ByteBuffer view;
    private final long address;

    /** Allocates {@code size} bytes, zeroed. */
    public NativeBuffer(long size) {
        memory = new Memory(size);
        memory.clear();
        view = memory.getByteBuffer(0, size).order(ByteOrder.nativeOrder());
        address = Pointer.nativeValue(memory);
    }

    /** {@return the address, for a system call} */
    public long address() {
        return address;
    }

    /** {@return the size in bytes} */
    public long size() {
        return memory.size();
    }

    public int getInt(int offset) {
        return view.getInt(offset);
    }

    public void putInt(int offset, int value) {
        view.putInt(offset, value);
    }

    public long getLong(int offset) {
        return view.getLong(offset);
    }

    public void putLong(int offset, long value) {
        view.putLong(offset, value);
    }

    public void putShort(int offset, short value) {
        view.putShort(offset, value);
    }

    public short getShort(int offset) {
        return view.getShort(offset);
    }

    /** Frees the memory; the buffer must not be used afterwards (nor its address). */
    @Override
    public void close() {
        memory.close();
    }
}
