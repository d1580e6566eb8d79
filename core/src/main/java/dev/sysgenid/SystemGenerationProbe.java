/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.nio.ByteBuffer;

import com.sun.jna.Pointer;

import dev.sysgenid.internal.LibC;
import dev.sysgenid.internal.PageAccess;

/**
 * The system's generation counter for in-line checks in the hottest paths, the way a C library
 * consumes the device: the counter page of {@code /dev/sysgenid} is mapped read-only once, when
 * this class initialises, and stays mapped for the life of the JVM; every {@link #generation()}
 * is then one acquire load from a constant address (no object, no field, no system call).
 *
 * <p>Three states, fixed at initialisation ({@link #state()}):
 * <ul>
 * <li>{@link State#ACTIVE}: mapped; changes show on the next read after the kernel's bump.</li>
 * <li>{@link State#UNSUPPORTED}: no device when the class initialised (module not loaded).
 *     Fail-open: {@link #generation()} returns 0 and never changes, so callers behave as they
 *     would without this library. Check the state once and say so.</li>
 * <li>{@link State#FAILED}: the device exists but could not be mapped (permission, say);
 *     {@link #failure()} tells why. {@link #generation()} returns 0 as for UNSUPPORTED; callers
 *     that must not fail open should treat every call as a change.</li>
 * </ul>
 * The path is {@code /dev/sysgenid}, or the system property {@code sysgenid.device} read at
 * initialisation. For a probe per device (the simulated one included) that can be closed, use
 * {@link GenerationDevice#mapProbe()}; it costs one more dependent load per check.
 *
 * <p>The same limits as any mmap'd counter apply: a restore is asynchronous, so code between a
 * check and the use of its result can run across it; check again after using the result where
 * that matters.
 */
public final class SystemGenerationProbe {

    /** What initialisation found. */
    public enum State {
        /** The counter page is mapped. */
        ACTIVE,
        /** No device: checks never see a change (fail-open). */
        UNSUPPORTED,
        /** The device exists but could not be mapped; see {@link #failure()}. */
        FAILED
    }

    private static final String PATH = System.getProperty("sysgenid.device", GenerationDevice.DEFAULT_PATH.toString());
    private static final long PAGE_SIZE = LibC.pageSize();
    private static final long ADDRESS;
    private static final ByteBuffer PAGE;
    private static final State STATE;
    private static final SysgenidException FAILURE;

    static {
        long addr = 0;
        State state = State.UNSUPPORTED;
        SysgenidException failure = null;
        Failures.load();
        int fd = LibC.open(PATH, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            SysgenidException e = Failures.ofOpen(PATH, LibC.errno());
            if (!(e instanceof DeviceAbsentException)) {
                state = State.FAILED;
                failure = e;
            }
        } else {
            long a = LibC.mmap(0, PAGE_SIZE, LibC.PROT_READ, LibC.MAP_SHARED, fd, 0);
            int errno = LibC.errno();
            LibC.close(fd);
            if (a == LibC.MAP_FAILED) {
                state = State.FAILED;
                failure = Failures.of("mmap(" + PATH + ")", errno);
            } else {
                addr = a;
                state = State.ACTIVE;
            }
        }
        if (addr == 0) {
            // a private zero page stands in, so that a read never faults whatever the state
            addr = LibC.mmap(0, PAGE_SIZE, LibC.PROT_READ, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        }
        ADDRESS = addr;
        PAGE = new Pointer(addr).getByteBuffer(0, PAGE_SIZE);
        STATE = state;
        FAILURE = failure;
    }

    private SystemGenerationProbe() {
    }

    /** {@return the current generation: one acquire load from a constant address (0 unless ACTIVE)} */
    public static int generation() {
        return PageAccess.readAcquire(ADDRESS, PAGE);
    }

    /**
     * Whether the counter moved away from a generation seen before.
     *
     * @param generation a generation this caller saw
     * @return true if the counter differs from {@code generation}; never true unless ACTIVE
     */
    public static boolean hasChangedSince(int generation) {
        return generation() != generation;
    }

    /** {@return what initialisation found} */
    public static State state() {
        return STATE;
    }

    /** {@return the path that was mapped (or tried)} */
    public static String path() {
        return PATH;
    }

    /** {@return why the state is FAILED; null otherwise} */
    public static SysgenidException failure() {
        return FAILURE;
    }
}
