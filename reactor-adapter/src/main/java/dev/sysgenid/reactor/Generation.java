/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import java.time.Instant;
import java.util.Objects;

import reactor.core.publisher.Mono;

/**
 * One generation as one subscription observed it: the counter, where it came from, when it
 * was seen, what this subscription had acknowledged before, and the handle that acknowledges it.
 *
 * <p>Generations are unsigned 32-bit counters held in an {@code int}: compare {@link #value()}
 * with {@code ==} only, never with {@code <} (the counter wraps). Two instances are equal only
 * if they are the same observation (the {@link #ack()} handle is part of the value); compare
 * {@link #value()} to compare counters.
 *
 * <p>Instances made by {@link ReactiveGenerations} are tied to the subscription that emitted
 * them. Instances made with the constructor (in tests of your own re-keying code, say) carry
 * whatever {@code ack} you give them, for example {@code Mono.empty()}.
 *
 * @param value the generation counter (unsigned 32-bit; equality only)
 * @param source the device it came from: its path, or {@code "simulated"}
 * @param observedAt when the subscription observed it, on the clock of the delivering scheduler
 * @param previous the generation this subscription had acknowledged before; for the first
 *        change it sees, the generation current when it subscribed. Equal to {@code value}
 *        only for the initial element of {@link GenerationOptions#withEmitCurrentOnSubscribe}
 * @param ack acknowledges {@code value} for the emitting subscription's watcher (see {@link #ack()})
 */
public record Generation(int value, String source, Instant observedAt, int previous, Mono<Void> ack) {

    /**
     * Checks that no component is null.
     *
     * @param value the generation counter
     * @param source the device it came from
     * @param observedAt when the subscription observed it
     * @param previous the generation this subscription had acknowledged before
     * @param ack acknowledges {@code value}
     * @throws NullPointerException if {@code source}, {@code observedAt} or {@code ack} is null
     */
    public Generation {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(observedAt, "observedAt");
        Objects.requireNonNull(ack, "ack");
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
     *     closed), and for the initial element of
     *     {@link GenerationOptions#withEmitCurrentOnSubscribe}, which needs no acknowledgement.</li>
     * <li>Fails with a {@link dev.sysgenid.SysgenidException} only if the device itself fails;
     *     such a failed write does not count as written, so subscribing again tries it again.</li>
     * </ul>
     *
     * <p>{@link ReactiveGenerations#rekeyed} calls it for you after your re-keying completes.
     *
     * @return the acknowledgement, cold: nothing is written until it is subscribed to
     */
    @Override
    public Mono<Void> ack() {
        return ack;
    }

    /**
     * {@return true for the element {@link GenerationOptions#withEmitCurrentOnSubscribe} adds at
     * subscription: the generation the watcher was already up to date with, to initialise from}
     */
    public boolean isInitial() {
        return value == previous;
    }

    /** {@return {@link #value()} as an unsigned decimal string} */
    public String valueText() {
        return Integer.toUnsignedString(value);
    }

    @Override
    public String toString() {
        return "Generation[" + valueText() + " from " + source + " at " + observedAt
                + (isInitial() ? ", initial" : ", previous " + Integer.toUnsignedString(previous)) + "]";
    }
}
