/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * The system calls on the data path, one per change and watcher: {@code read(2)}, {@code
 * write(2)} and {@code epoll_wait(2)}. Each returns its result, or a negative errno.
 *
 * <p>On JDK 22 and later they are {@code java.lang.foreign} downcalls, which the JIT compiles to a
 * direct call; before, and wherever the FFM linker is refused (native access denied), they are
 * JNA's direct-mapped calls, a few hundred instructions of dispatch and libffi per call. On
 * hardware the system call dominates either way; in an emulated guest those instructions cost
 * as much as the call itself (see {@code docs/benchmarks.md}). This
 * class is compiled for Java 17: it links the downcalls reflectively, once, into method handles
 * whose types name only primitives (a pointer is passed as a {@code long} on 64-bit Linux), so
 * no {@code java.lang.foreign} type appears in the code that calls them.
 *
 * <p>errno: FFM captures it into a per-thread {@link CallState} right after the call, so nothing
 * the JVM does between the call and its check can change it.
 */
public final class Syscalls {

    /*
     * Issue 14 asked for this as a multi-release JAR (the JNA class as the base, a
     * META-INF/versions/22 class with the downcalls) "if the measurements hold". Declined, for
     * two reasons. The build: the project builds with JDK 17, the floor (the README's commands,
     * CI, anyone building from source); a versions/22 class needs javac 22 or later, so every
     * build would need a second JDK through Maven toolchains, and there would be two classes of
     * one name, each compiled and tested only where its JDK runs. The measurements: what an
     * MR-JAR would remove costs nothing at run time here: FOREIGN and the method handles are
     * static finals, so C2 folds the branch and links invokeExact directly (the bench's JDK 25
     * figures in docs/benchmarks.md are with this class); the reflective linking runs once, in
     * this class's initialiser. What remains is its length, about 80 lines, in this one class.
     */

    /** Where the calls go: {@code "java.lang.foreign"} or {@code "JNA"}. */
    public static final String IMPLEMENTATION;
    private static final boolean FOREIGN;
    /** (Object captureSegment, int fd, long buf, long count) long. */
    private static final MethodHandle READ;
    private static final MethodHandle WRITE;
    /** (Object captureSegment, int epfd, long events, int maxevents, int timeout) int. */
    private static final MethodHandle EPOLL_WAIT;
    /** Bytes of the FFM call-state buffer and errno's offset in it (0 without FFM). */
    private static final long STATE_SIZE;
    private static final long ERRNO_OFFSET;

    static {
        MethodHandle[] h = null;
        long[] layout = null;
        if (Runtime.version().feature() >= 22 && !Boolean.getBoolean("sysgenid.syscalls.jna")) {
            try {
                Foreign f = new Foreign();
                h = new MethodHandle[] {f.read(), f.write(), f.epollWait()};
                layout = new long[] {f.stateSize(), f.errnoOffset()};
            } catch (Throwable e) { // native access refused, or an FFM without what we use: JNA
                h = null;
            }
        }
        FOREIGN = h != null;
        IMPLEMENTATION = FOREIGN ? "java.lang.foreign" : "JNA";
        READ = FOREIGN ? h[0] : null;
        WRITE = FOREIGN ? h[1] : null;
        EPOLL_WAIT = FOREIGN ? h[2] : null;
        STATE_SIZE = FOREIGN ? layout[0] : 0;
        ERRNO_OFFSET = FOREIGN ? layout[1] : 0;
    }

    private Syscalls() {
    }

    /** {@code read(fd, buf, count)}: bytes read, or a negative errno. */
    public static long read(CallState state, int fd, long buf, long count) {
        if (FOREIGN) {
            long n;
            try {
                n = (long) READ.invokeExact(state.segment, fd, buf, count);
            } catch (Throwable e) {
                throw linkageFailure(e);
            }
            return n < 0 ? -state.errno() : n;
        }
        long n = LibC.read(fd, buf, count);
        return n < 0 ? -LibC.errno() : n;
    }

    /** {@code write(fd, buf, count)}: bytes written, or a negative errno. */
    public static long write(CallState state, int fd, long buf, long count) {
        if (FOREIGN) {
            long n;
            try {
                n = (long) WRITE.invokeExact(state.segment, fd, buf, count);
            } catch (Throwable e) {
                throw linkageFailure(e);
            }
            return n < 0 ? -state.errno() : n;
        }
        long n = LibC.write(fd, buf, count);
        return n < 0 ? -LibC.errno() : n;
    }

    /** {@code epoll_wait(epfd, events, maxEvents, timeoutMillis)}: events, or a negative errno. */
    public static int epollWait(CallState state, int epfd, long events, int maxEvents, int timeoutMillis) {
        if (FOREIGN) {
            int n;
            try {
                n = (int) EPOLL_WAIT.invokeExact(state.segment, epfd, events, maxEvents, timeoutMillis);
            } catch (Throwable e) {
                throw linkageFailure(e);
            }
            return n < 0 ? -state.errno() : n;
        }
        int n = LibC.epoll_wait(epfd, events, maxEvents, timeoutMillis);
        return n < 0 ? -LibC.errno() : n;
    }

    private static IllegalStateException linkageFailure(Throwable e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new IllegalStateException("downcall failed", e);
    }

    /**
     * One thread's buffer for the errno FFM captures (unused with JNA, which keeps its own). Use
     * it from one thread at a time.
     */
    public static final class CallState {
        private final NativeBuffer buffer;
        /** The buffer as a {@code MemorySegment}, typed Object (see the class comment); null with JNA. */
        final Object segment;

        public CallState() {
            if (!FOREIGN) {
                buffer = null;
                segment = null;
                return;
            }
            buffer = new NativeBuffer(Math.max(8, STATE_SIZE));
            segment = Foreign.segmentAt(buffer.address(), buffer.size());
        }

        int errno() {
            return buffer.getInt((int) ERRNO_OFFSET);
        }
    }

    /** The reflective linking, run once (JDK 22+ only). */
    private static final class Foreign {
        private final Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
        private final Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
        private final Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
        private final Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
        private final Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
        private final Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
        private final Object lookup = linkerClass.getMethod("defaultLookup").invoke(linker);
        private final Object javaInt = field("java.lang.foreign.ValueLayout", "JAVA_INT");
        private final Object javaLong = field("java.lang.foreign.ValueLayout", "JAVA_LONG");
        private final Object stateLayout = optionClass.getMethod("captureStateLayout").invoke(null);

        Foreign() throws ReflectiveOperationException {
        }

        MethodHandle read() throws ReflectiveOperationException {
            return link("read", javaLong, javaInt, javaLong, javaLong);
        }

        MethodHandle write() throws ReflectiveOperationException {
            return link("write", javaLong, javaInt, javaLong, javaLong);
        }

        MethodHandle epollWait() throws ReflectiveOperationException {
            return link("epoll_wait", javaInt, javaInt, javaLong, javaInt, javaInt);
        }

        long stateSize() throws ReflectiveOperationException {
            return (long) layoutClass.getMethod("byteSize").invoke(stateLayout);
        }

        long errnoOffset() throws ReflectiveOperationException {
            Class<?> pathElement = Class.forName("java.lang.foreign.MemoryLayout$PathElement");
            Object errno = pathElement.getMethod("groupElement", String.class).invoke(null, "errno");
            Object path = Array.newInstance(pathElement, 1);
            Array.set(path, 0, errno);
            return (long) layoutClass.getMethod("byteOffset", path.getClass()).invoke(stateLayout, path);
        }

        /** A downcall capturing errno, typed (Object state, args...) ret with primitives only. */
        private MethodHandle link(String name, Object ret, Object... args) throws ReflectiveOperationException {
            Object argLayouts = Array.newInstance(layoutClass, args.length);
            for (int i = 0; i < args.length; i++) {
                Array.set(argLayouts, i, args[i]);
            }
            Object descriptor = descriptorClass.getMethod("of", layoutClass, argLayouts.getClass())
                    .invoke(null, ret, argLayouts);
            Object capture = optionClass.getMethod("captureCallState", String[].class)
                    .invoke(null, (Object) new String[] {"errno"});
            Object options = Array.newInstance(optionClass, 1);
            Array.set(options, 0, capture);
            Optional<?> symbol = (Optional<?>) Class.forName("java.lang.foreign.SymbolLookup")
                    .getMethod("find", String.class).invoke(lookup, name);
            Method downcall = linkerClass.getMethod("downcallHandle", segmentClass, descriptorClass, options.getClass());
            MethodHandle mh = (MethodHandle) downcall.invoke(linker, symbol.orElseThrow(), descriptor, options);
            Class<?>[] params = new Class<?>[args.length + 1];
            params[0] = Object.class;
            for (int i = 0; i < args.length; i++) {
                params[i + 1] = args[i] == javaInt ? int.class : long.class;
            }
            return mh.asType(MethodType.methodType(ret == javaInt ? int.class : long.class, params));
        }

        private static Object field(String className, String name) throws ReflectiveOperationException {
            return Class.forName(className).getField(name).get(null);
        }

        /** {@code MemorySegment.ofAddress(address).reinterpret(size)}. */
        static Object segmentAt(long address, long size) {
            try {
                Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
                Object zeroLength = segment.getMethod("ofAddress", long.class).invoke(null, address);
                return segment.getMethod("reinterpret", long.class).invoke(zeroLength, size);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("java.lang.foreign linked, but a segment cannot be made", e);
            }
        }
    }
}
