/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

/** What a generation device offers below the public API: open a file, map the counter page. */
public interface DeviceBackend {

    /**
     * Opens a new file (a watcher): it remembers the current generation as acknowledged.
     *
     * @throws ErrnoException with the open(2) errno
     */
    DeviceFile open();

    /**
     * mmap(2) of the device's counter page.
     *
     * @return the address, or a negative errno ({@code -EINVAL} for an offset or length beyond
     *         one page, checked first; then {@code -EPERM} for a writable mapping)
     */
    long map(long length, int prot, int flags, long offset);

    /** Releases what the backend itself holds (not the files it opened). */
    void close();
}
