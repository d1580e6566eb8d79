/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

/**
 * What {@link ReactiveGenerations#rekeyed} does when the re-keying publisher fails or times out
 * (see {@link GenerationOptions#withRekeyTimeout}). In every case the generation is not
 * acknowledged before a re-keying for it has completed.
 *
 * <p>A note on the overseer: the device cannot tell "closed" from "acknowledged". A tracked
 * watcher that is closed stops counting as outdated at once, so an overseer waiting for it is
 * released. The device contract requires that close (an abandoned watcher must never hold the
 * overseer up), so a service for which a failed re-keying is fatal must also say so by other
 * means: fail its health check, or exit.
 */
public enum RekeyErrorPolicy {

    /**
     * The default. The generation is not acknowledged; the error reaches the subscriber as
     * {@code onError} and the subscription ends, which closes its watcher (before {@code
     * onError} is delivered). Until that close the watcher stays outdated, so an overseer waits
     * for it exactly while the failing re-keying runs, not after. Re-subscribe (for instance
     * with {@code retryWhen} downstream) to watch again; a new subscription sees the newest
     * generation only if {@link GenerationOptions#withEmitCurrentOnSubscribe} is set.
     */
    PROPAGATE,

    /**
     * Re-run the re-keying for the same generation, up to {@link
     * GenerationOptions#maxRetries()} more times with exponential backoff starting at {@link
     * GenerationOptions#retryBackoff()} (timers on the delivery scheduler). Meanwhile the
     * watcher stays outdated and tracked: the overseer keeps waiting. If the counter moved
     * meanwhile, the acknowledgement after a successful retry is stale and the newest
     * generation is re-keyed next. When the retries are exhausted: as {@link #PROPAGATE}, with
     * the last error (not wrapped).
     */
    RETRY,

    /**
     * Give up on this generation without ending the subscription: tracking is turned off (the
     * overseer stops waiting for this subscriber), the generation is acknowledged so that the
     * next change is delivered, and the error goes to {@code Hooks.onErrorDropped} (logged by
     * default) instead of {@code onError}. Tracking is turned back on after the next
     * re-keying that succeeds. For non-critical state that must never hold up a restore.
     */
    RELEASE
}
