/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * Direct-mapped libc calls (JNA {@code Native.register}). Every method returns the raw
 * result; on failure read {@link #errno()}. Pointers are passed as {@code long} addresses:
 * this project supports 64-bit Linux only (x86-64, aarch64).
 */
public final class LibC {

    static {
        Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private LibC() {
    }

    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int PROT_EXEC = 4;
    public static final int MAP_SHARED = 1;
    public static final int MAP_PRIVATE = 2;
    /** The bits of mmap's flags that give the mapping's type (shared, private, validated shared). */
    public static final int MAP_TYPE = 0x0f;
    public static final int MAP_SHARED_VALIDATE = 3;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final long MAP_FAILED = -1L;

    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLET = 1 << 31;

    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;

    public static final int MFD_CLOEXEC = 1;
    public static final int MFD_ALLOW_SEALING = 2;
    public static final int F_ADD_SEALS = 1033;
    public static final int F_SEAL_SHRINK = 2;
    public static final int F_SEAL_GROW = 4;
    public static final int F_SEAL_FUTURE_WRITE = 0x10;

    public static final short POLLIN = 0x001;

    /** sysgenid ioctls: {@code _IO(0xE4, n)}. */
    public static final long SYSGENID_SET_WATCHER_TRACKING = 0xE401L;
    public static final long SYSGENID_WAIT_WATCHERS = 0xE402L;
    public static final long SYSGENID_TRIGGER_GEN_UPDATE = 0xE403L;

    private static final int SC_PAGESIZE = 30;

    /** Page size of this process ({@code sysconf(_SC_PAGESIZE)}). */
    public static long pageSize() {
        return sysconf(SC_PAGESIZE);
    }

    /** The errno left by the last native call on this thread. */
    public static int errno() {
        return Native.getLastError();
    }

    public static native int open(String path, int flags, int mode);

    public static native int close(int fd);

    public static native long read(int fd, byte[] buf, long count);

    public static native long read(int fd, long[] buf, long count);

    /** read(2) into native memory at {@code buf}: no array copy, the cheapest JNA call. */
    public static native long read(int fd, long buf, long count);

    /** write(2) from native memory at {@code buf}. */
    public static native long write(int fd, long buf, long count);

    public static native long write(int fd, long[] buf, long count);

    public static native int ioctl(int fd, long request, long arg);

    public static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    public static native int munmap(long addr, long length);

    public static final int MREMAP_MAYMOVE = 1;
    public static final int MREMAP_FIXED = 2;

    public static native long mremap(long oldAddr, long oldSize, long newSize, int flags, long newAddr);

    public static native int mprotect(long addr, long length, int prot);

    public static native int epoll_create1(int flags);

    public static native int epoll_ctl(int epfd, int op, int fd, long event);

    public static native int epoll_wait(int epfd, long events, int maxevents, int timeout);

    public static native int eventfd(int initval, int flags);

    /** pipe2(2): {@code fds[0]} the read end, {@code fds[1]} the write end. */
    public static native int pipe2(int[] fds, int flags);

    public static native int poll(long fds, long nfds, int timeout);

    public static native int memfd_create(String name, int flags);

    public static native int ftruncate(int fd, long length);

    public static native int fcntl(int fd, int cmd, int arg);

    public static native long sysconf(int name);
}
