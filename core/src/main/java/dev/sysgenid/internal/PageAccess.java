/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The one-load read of the counter page. Two ways, chosen once per JVM (immutable):
 * {@code sun.misc.Unsafe#getIntVolatile} on the address (as cheap as a volatile field read;
 * used up to JDK 23, where it is silent), or an acquire {@link VarHandle} on a direct
 * {@link ByteBuffer} (no warnings on JDK 24+, a few more instructions: bounds and alignment
 * checks). {@code -Dsysgenid.probe.access=unsafe|varhandle} overrides the choice.
 */
public final class PageAccess {

    private static final VarHandle PAGE_INT =
            MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final sun.misc.Unsafe UNSAFE = findUnsafe();
    /** Constant after class initialisation, so the JIT keeps only one branch. */
    private static final boolean USE_UNSAFE = UNSAFE != null;

    private PageAccess() {
    }

    /** Reads the int at {@code address} (also the start of {@code page}) with acquire semantics. */
    public static int readAcquire(long address, ByteBuffer page) {
        if (USE_UNSAFE) {
            return UNSAFE.getIntVolatile(null, address);
        }
        return (int) PAGE_INT.getAcquire(page, 0);
    }

    private static sun.misc.Unsafe findUnsafe() {
        String choice = System.getProperty("sysgenid.probe.access", "");
        boolean wanted = choice.equals("unsafe") || (choice.isEmpty() && Runtime.version().feature() < 24);
        if (!wanted) {
            return null;
        }
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
