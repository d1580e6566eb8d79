/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

/**
 * A device's epoll loop has ended (closed with its device, or closed on its own): it takes no
 * registrations, and the registrations it served ended with this as their {@link
 * GenerationListener#onTerminated cause}. A loop that failed ends its registrations with the
 * failure instead.
 */
public final class LoopEndedException extends WatcherClosedException {
    LoopEndedException(String loopName) {
        super("the epoll loop " + loopName, "register again through GenerationDevice.watch or loop(), which"
                + " start a new loop, unless the device itself was closed (then open a new device).");
    }
}
