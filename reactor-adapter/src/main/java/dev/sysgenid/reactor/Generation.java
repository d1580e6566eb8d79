/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import java.time.Instant;
import java.util.Objects;

import reactor.core.publisher.Mono;

/**
 * One generation as one subscription observed it: the counter, where it came from, when it
 * was seen, what this subscription had acknowledged before, and whether it is the initial
 * element of {@link GenerationOptions#withEmitCurrentOnSubscribe}. A value: two instances with
 * the same five components are equal, whichever subscription emitted them; the acknowledgement
 * ({@link #ack()}) goes with the instance but is not part of its value.
 *
 * <p>Generations are unsigned 32-bit counters held in an {@code int}: compare {@link #value()}
 * with {@code ==} only, never with {@code <} (the counter wraps).
 *
 * <p>Instances emitted by {@link ReactiveGenerations} acknowledge through the subscription that
 * emitted them. Instances made with the public constructor (in tests of your own re-keying
 * code, say) have nothing to acknowledge: their {@link #ack()} completes at once.
 */
public final class Generation {

    private final int value;
    private final String source;
    private final Instant observedAt;
    private final int previous;
    private final boolean initial;
    /** The emitting subscription's acknowledgement, or null if there is nothing to write. */
    private final PendingAck pendingAck;

    /**
     * A generation that acknowledges nothing ({@link #ack()} completes at once): for tests of
     * code that consumes generations.
     *
     * @param value the generation counter (unsigned 32-bit; equality only)
     * @param source the device it came from: its path, or {@code "simulated"}
     * @param observedAt when it was observed
     * @param previous the generation acknowledged before (for an initial element: {@code value})
     * @param initial whether it is the initial element of {@link GenerationOptions#withEmitCurrentOnSubscribe}
     */
    public Generation(int value, String source, Instant observedAt, int previous, boolean initial) {
        this(value, source, observedAt, previous, initial, null);
    }

    Generation(int value, String source, Instant observedAt, int previous, boolean initial, PendingAck pendingAck) {
        this.value = value;
        this.source = Objects.requireNonNull(source, "source");
        this.observedAt = Objects.requireNonNull(observedAt, "observedAt");
        this.previous = previous;
        this.initial = initial;
        this.pendingAck = pendingAck;
    }

    /** {@return the generation counter (unsigned 32-bit; compare with {@code ==} only)} */
    public int value() {
        return value;
    }

    /** {@return the device it came from: its path, or {@code "simulated"}} */
    public String source() {
        return source;
    }

    /** {@return when the subscription observed it, on the clock of the delivering scheduler} */
    public Instant observedAt() {
        return observedAt;
    }

    /**
     * {@return the generation this subscription had acknowledged before} For the first change it
     * sees, the generation current when it subscribed; for the initial element, {@link #value()}.
     */
    public int previous() {
        return previous;
    }

    /**
     * {@return true for the element {@link GenerationOptions#withEmitCurrentOnSubscribe} adds at
     * subscription} That is the generation the watcher was already up to date with, to initialise
     * from. Set by the subscription, never inferred from the values (after a wrap of the counter a
     * change can carry the value it started from).
     */
    public boolean isInitial() {
        return initial;
    }

    /**
     * The low-level acknowledgement: subscribing writes {@link #value()} to the emitting
     * subscription's watcher, which then stops counting as outdated for the overseer and is
     * told about the next change. Call it only once your state is re-keyed for this generation.
     *
     * <ul>
     * <li>Cold and idempotent: the first subscription writes, later ones complete at once.</li>
     * <li>Runs on the subscribing thread and never blocks (one write and one queued task).</li>
     * <li>Completes normally even if the acknowledgement was stale (the counter moved again):
     *     then the same subscription emits the newest generation next, which needs its own
     *     acknowledgement. No further generation is emitted before this one is acknowledged.</li>
     * <li>Completes without doing anything once the subscription has ended (its watcher is
     *     closed), for the initial element, which needs no acknowledgement, and for an instance
     *     made with the public constructor.</li>
     * <li>Fails with a {@link dev.sysgenid.SysgenidException} only if the device itself fails;
     *     such a failed write does not count as written, so subscribing again tries it again.</li>
     * </ul>
     *
     * <p>{@link ReactiveGenerations#rekeyed} (and {@link ReactiveGenerations#rekeyedShared})
     * calls it for you after your re-keying completes; {@link ReactiveGenerations#nextChange}
     * before it emits the change.
     *
     * @return the acknowledgement, cold: subscribe to write it
     */
    public Mono<Void> ack() {
        return pendingAck != null ? pendingAck : Mono.empty();
    }

    /** The emitting subscription's acknowledgement, or null if this element has none to write. */
    PendingAck pendingAck() {
        return pendingAck;
    }

    /** {@return {@link #value()} as an unsigned decimal string} */
    public String valueText() {
        return Integer.toUnsignedString(value);
    }

    /** Equal if the five components are: the acknowledgement is not part of the value. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Generation g && g.value == value && g.previous == previous && g.initial == initial
                && g.source.equals(source) && g.observedAt.equals(observedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value, source, observedAt, previous, initial);
    }

    @Override
    public String toString() {
        return "Generation[" + valueText() + " from " + source + " at " + observedAt
                + (initial ? ", initial" : ", previous " + Integer.toUnsignedString(previous)) + "]";
    }
}
