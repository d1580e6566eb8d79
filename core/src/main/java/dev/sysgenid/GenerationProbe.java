/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.jna.Pointer;

import dev.sysgenid.internal.LibC;
import dev.sysgenid.internal.PageAccess;

/**
 * The device's counter page, mapped read-only once: {@link #generation()} is one memory load
 * with acquire semantics, no system call, for checks on every call of a hot path (PRNGs, TLS).
 * (How the load is made is chosen once per JVM; see {@code docs/benchmarks.md}.) A check costs
 * one more dependent load than a field read (this probe's page address); where that matters,
 * {@link SystemGenerationProbe} reads the system's page from a constant address.
 *
 * <p>What it guarantees: a bump that has completed in the kernel is visible to the next call
 * of {@link #generation()} on any thread. What it does not: a restore is asynchronous, so code
 * between a check and the use of its result can still run across a restore. Use it as a
 * transaction (check before, act, check after, redo if it changed) where that matters.
 *
 * <p>Closing replaces the device mapping with a private page holding the last value, in one
 * atomic step, so a concurrent or later {@link #generation()} never faults: it returns that
 * frozen value. The address range is unmapped once the probe is unreachable (closed or not).
 * Thread-safe.
 */
public final class GenerationProbe implements AutoCloseable {

    /** The library's one cleaner thread: unmaps abandoned probes, closes abandoned watchers. */
    static final Cleaner CLEANER = Cleaner.create();

    private final ByteBuffer page;
    private final long address;
    private final long length;
    private final AtomicBoolean closed = new AtomicBoolean();

    GenerationProbe(long address, long length) {
        this.address = address;
        this.length = length;
        this.page = new Pointer(address).getByteBuffer(0, length);
        CLEANER.register(this, () -> LibC.munmap(address, length));
    }

    /** {@return the current generation: one acquire load from the shared page} */
    public int generation() {
        int g = PageAccess.readAcquire(address, page);
        // keeps this probe reachable until the load is done: else its cleaner could unmap the
        // page under the load (mapProbe().generation(), a probe dropped right after the call)
        Reference.reachabilityFence(this);
        return g;
    }

    /**
     * Whether the counter moved away from a generation seen before.
     *
     * @param generation a generation this caller saw
     * @return true if the counter differs from {@code generation} (a change, whatever its direction)
     */
    public boolean hasChangedSince(int generation) {
        return generation() != generation;
    }

    /** {@return whether {@link #close()} was called} */
    public boolean isClosed() {
        return closed.get();
    }

    /** Releases the device mapping; idempotent. Later reads return the last value seen. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        int last = generation();
        long frozen = LibC.mmap(0, length, LibC.PROT_READ | LibC.PROT_WRITE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        if (frozen == LibC.MAP_FAILED) {
            return; // keep the device mapping: still valid, released at process exit
        }
        new Pointer(frozen).setInt(0, last);
        LibC.mprotect(frozen, length, LibC.PROT_READ);
        long moved = LibC.mremap(frozen, length, length, LibC.MREMAP_MAYMOVE | LibC.MREMAP_FIXED, address);
        if (moved == LibC.MAP_FAILED) {
            LibC.munmap(frozen, length);
        }
    }
}
