/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/** No file descriptor could be had: the process or system open-file limit is reached. */
public final class FileLimitException extends SysgenidException {
    /**
     * A call that needed a new file descriptor got none.
     *
     * @param call the call that failed
     * @param errno its system error ({@code EMFILE} or {@code ENFILE})
     */
    public FileLimitException(String call, int errno) {
        super(call + " failed: too many open files (errno " + errno + "). Each watcher holds one"
                + " file descriptor on the real device, two (a pipe) on the simulated device: raise the"
                + " limit ('ulimit -n', or LimitNOFILE= in a systemd unit) or close watchers you no longer"
                + " need.", errno);
    }
}
