/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/**
 * Reseeds the kernel's RNG now: {@code RNDADDENTROPY} mixes a buffer into the input pool (no
 * entropy is credited: its content is not secret), then {@code RNDRESEEDCRNG} makes the
 * kernel's CRNG reseed from that pool at once, so every read of {@code /dev/urandom} or
 * {@code getrandom(2)} after it, in this clone, differs from its sibling's. Both ioctls need
 * {@code CAP_SYS_ADMIN}.
 *
 * <p>Why: before Linux 5.18 (and on any kernel without a vmgenid device) the kernel does not
 * reseed its RNG on a VM restore, so every clone's {@code /dev/urandom} continues from the same
 * state, and every generator that reseeds from it after the restore (the SnapshotSafe provider,
 * OpenSSL, ...) repeats its sibling's bytes. What is mixed in: the generation this restore
 * will move the counter to, the wall clock and the monotonic clock in nanoseconds: cheap, and
 * different between clones unless they restore in the same nanosecond. An orchestrator that
 * can pass entropy from outside the VM (virtio-rng, a seed file from the host) gives more.
 */
final class KernelRngReseed {

    /** {@code _IOW('R', 0x03, int[2])}: add to the input pool, from {@code <linux/random.h>}. */
    private static final long RNDADDENTROPY = 0x40085203L;
    /** {@code _IO('R', 0x07)}: reseed the CRNG now (Linux 4.17 and later). */
    private static final long RNDRESEEDCRNG = 0x5207L;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int EPERM = 1;
    private static final int ENOENT = 2;

    /** The default node: any of the kernel's RNG nodes takes these ioctls. */
    static final Path DEFAULT_NODE = Path.of("/dev/urandom");

    private interface LibC extends Library {
        int open(String path, int flags) throws LastErrorException;

        int ioctl(int fd, NativeLong request, byte[] argument) throws LastErrorException;

        int ioctl(int fd, NativeLong request, NativeLong argument) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private KernelRngReseed() {
    }

    /**
     * Mixes {@code generation} and the time into the kernel RNG through {@code node} and
     * reseeds it.
     *
     * @throws KernelRngException if the node cannot be opened or refuses the ioctls; its exit
     *         status is {@link ExitCode#MISSING_CAPABILITY} without {@code CAP_SYS_ADMIN}
     */
    static void reseed(Path node, int generation) {
        LibC libc = Native.load("c", LibC.class);
        int fd;
        try {
            fd = libc.open(node.toString(), O_RDONLY | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new KernelRngException(e.getErrorCode() == ENOENT ? ExitCode.DEVICE_ABSENT : ExitCode.DEVICE_ERROR,
                    "cannot open " + node + " to reseed the kernel RNG (errno " + e.getErrorCode() + "): --rng-device"
                            + " must name the kernel's /dev/urandom or /dev/random", e.getErrorCode());
        }
        try {
            libc.ioctl(fd, new NativeLong(RNDADDENTROPY), poolInfo(generation));
            libc.ioctl(fd, new NativeLong(RNDRESEEDCRNG), new NativeLong(0));
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EPERM) {
                throw new KernelRngException(ExitCode.MISSING_CAPABILITY, "reseeding the kernel RNG needs"
                        + " CAP_SYS_ADMIN: run restore-cycle as root (or with AmbientCapabilities=CAP_SYS_ADMIN), or"
                        + " leave out --reseed-kernel-rng on Linux 5.18+ guests with a vmgenid device, whose kernel"
                        + " reseeds itself on a restore", e.getErrorCode());
            }
            throw new KernelRngException(ExitCode.DEVICE_ERROR, node + " refused the kernel RNG ioctls (errno "
                    + e.getErrorCode() + "): --rng-device must name the kernel's /dev/urandom or /dev/random"
                    + " (RNDRESEEDCRNG needs Linux 4.17 or later)", e.getErrorCode());
        } finally {
            libc.close(fd);
        }
    }

    /** {@code struct rand_pool_info}: entropy_count 0, buf_size, buf (native byte order). */
    static byte[] poolInfo(int generation) {
        Instant now = Instant.now();
        ByteBuffer data = ByteBuffer.allocate(Integer.BYTES + 3 * Long.BYTES)
                .putInt(generation).putLong(now.getEpochSecond()).putLong(now.getNano()).putLong(System.nanoTime());
        return ByteBuffer.allocate(2 * Integer.BYTES + data.capacity()).order(ByteOrder.nativeOrder())
                .putInt(0).putInt(data.capacity()).put(data.array()).array();
    }
}
