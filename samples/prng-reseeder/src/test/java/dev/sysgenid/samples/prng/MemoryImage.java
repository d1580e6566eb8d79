/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * A model of a VM snapshot for the generators of one JVM: {@link #capture} copies the state of
 * the JDK's process-wide generator machinery (the DRBG seeder and nonce counter, the SHA1PRNG
 * seeder) and of the given generators, field by field, through reflection; {@link #restore}
 * writes it back, so that what runs next starts from the same memory as what ran after the
 * capture: a second clone of one snapshot. Needs {@code --add-opens java.base/sun.security.provider}
 * and {@code java.base/java.security} (the tests run it in a child JVM, {@link CloneModel}).
 *
 * <p>What is in the image: every object reachable from the roots whose class is in
 * {@code sun.security.provider}, a {@code SecureRandom}, a {@code SecureRandomSpi} or a lambda
 * (the DRBG seeder is one), with arrays copied; not providers, digests' callers or anything
 * else. A root the JDK does not have (its internals changed) is an error, never skipped.
 */
final class MemoryImage {

    /** The JDK's process-wide generator state: class and static field. */
    private static final String[][] JDK_STATE = {
        {"sun.security.provider.AbstractDrbg$SeederHolder", "seeder"},
        {"sun.security.provider.AbstractDrbg$NonceProvider", "block"},
        {"sun.security.provider.SecureRandom$SeederHolder", "seeder"},
    };

    private final Map<Object, Map<Field, Object>> objects = new IdentityHashMap<>();
    private final List<Object[]> staticArrays = new ArrayList<>();

    private MemoryImage() {
    }

    /** Captures the JDK's generator state and that of {@code generators}. */
    static MemoryImage capture(Object... generators) throws ReflectiveOperationException {
        MemoryImage image = new MemoryImage();
        for (String[] root : JDK_STATE) {
            Class<?> holder = Class.forName(root[0], true, null);
            Field f = holder.getDeclaredField(root[1]);
            f.setAccessible(true);
            Object value = Objects.requireNonNull(f.get(null), root[0] + "." + root[1]);
            if (value.getClass().isArray()) {
                image.staticArrays.add(new Object[] {value, copy(value)});
            } else {
                image.captureObject(value);
            }
        }
        for (Object g : generators) {
            image.captureObject(g);
        }
        return image;
    }

    /** Writes the captured state back into the same objects. */
    void restore() throws ReflectiveOperationException {
        for (Object[] a : staticArrays) {
            System.arraycopy(a[1], 0, a[0], 0, Array.getLength(a[0]));
        }
        for (Map.Entry<Object, Map<Field, Object>> o : objects.entrySet()) {
            for (Map.Entry<Field, Object> f : o.getValue().entrySet()) {
                restoreField(o.getKey(), f.getKey(), f.getValue());
            }
        }
    }

    private void captureObject(Object o) throws ReflectiveOperationException {
        if (o == null || objects.containsKey(o)) {
            return;
        }
        Map<Field, Object> fields = new LinkedHashMap<>();
        objects.put(o, fields);
        for (Class<?> c = o.getClass(); c != null && c != Object.class && c != Random.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                f.setAccessible(true);
                Object value = f.get(o);
                fields.put(f, copy(value));
                if (value != null && inImage(value)) {
                    captureObject(value);
                }
            }
        }
    }

    private static void restoreField(Object o, Field f, Object saved) throws ReflectiveOperationException {
        Object current = f.get(o);
        if (saved != null && saved.getClass().isArray() && current != null
                && current.getClass() == saved.getClass() && Array.getLength(current) == Array.getLength(saved)) {
            System.arraycopy(saved, 0, current, 0, Array.getLength(saved)); // in place: the field may be final
        } else if (f.getType().isPrimitive() ? !Objects.equals(current, saved) : current != saved) {
            f.set(o, saved != null && saved.getClass().isArray() ? copy(saved) : saved);
        }
    }

    private static boolean inImage(Object value) {
        Class<?> c = value.getClass();
        if (value instanceof Provider) {
            return false;
        }
        return c.getName().startsWith("sun.security.provider.") || value instanceof SecureRandom
                || value instanceof SecureRandomSpi || c.isHidden();
    }

    private static Object copy(Object value) {
        if (value == null || !value.getClass().isArray()) {
            return value;
        }
        int n = Array.getLength(value);
        Object c = Array.newInstance(value.getClass().getComponentType(), n);
        System.arraycopy(value, 0, c, 0, n);
        return c;
    }
}
