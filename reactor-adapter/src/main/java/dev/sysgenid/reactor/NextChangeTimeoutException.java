/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The error of {@link ReactiveGenerations#nextChange(Duration, GenerationOptions)} when the
 * generation did not change within its timeout. By the time it is signalled the watcher that
 * waited is closed (and, if it was tracked, no longer counted by the overseer): nothing is left
 * to release. A {@link TimeoutException}, as Reactor's own {@code timeout} operators signal, so
 * {@code onErrorResume(TimeoutException.class, ...)} handles both.
 */
public final class NextChangeTimeoutException extends TimeoutException {

    private static final long serialVersionUID = 1L;

    /** The device that was watched: its path, or {@code "simulated"}. */
    private final String source;
    /** How long it was watched. */
    private final Duration timeout;

    /**
     * The error for a wait on {@code source} that ended after {@code timeout} with no change.
     *
     * @param source the device that was watched: its path, or {@code "simulated"}
     * @param timeout how long it was watched
     */
    public NextChangeTimeoutException(String source, Duration timeout) {
        super("the generation of " + source + " did not change within " + timeout + " (no snapshot was restored "
                + "meanwhile); the watcher is closed. Subscribe again to keep waiting, give a longer timeout, or use "
                + "nextChange without a timeout (or generations()) to wait for as long as it takes");
        this.source = source;
        this.timeout = timeout;
    }

    /** {@return the device that was watched: its path, or {@code "simulated"}} */
    public String source() {
        return source;
    }

    /** {@return how long the generation was watched before giving up} */
    public Duration timeout() {
        return timeout;
    }
}
