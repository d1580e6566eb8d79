/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.webflux;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.sysgenid.GenerationDevice;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * The service's unique state, one {@link Epoch} per system generation, and the one place that
 * rotates it.
 *
 * <p>Two paths keep it in step with the device, and both go through {@link #rotateToCurrent()}:
 * <ul>
 * <li>Push: the tracked subscription ({@link GenerationRotator}) rotates on every change, then
 *     acknowledges, so an overseer's wait ends only after the key was rotated.</li>
 * <li>Just in time: every issuance compares the epoch's generation with the device's mapped
 *     counter (one memory load) before it uses the epoch, and again after (a transaction: a
 *     restore in between discards the result and issues again). A request that arrives after
 *     a restore but before the push path ran therefore still gets a fresh key and prefix.</li>
 * </ul>
 *
 * <p>Threads: {@link #current()}, {@link #issueId()} are non-blocking while the epoch is up to
 * date; a rotation (which reads the entropy source) runs on {@link Schedulers#boundedElastic()}.
 * Rotations are serialized and idempotent per generation.
 */
public final class KeyRing {

    private static final Logger log = LoggerFactory.getLogger(KeyRing.class);
    private static final int RETIRED_KEYS_REMEMBERED = 64;

    private final GenerationDevice device;
    private final List<RotationObserver> observers;
    private final Object rotationLock = new Object();
    private final Sinks.Many<GenerationEvent> events = Sinks.many().replay().latest();
    /** keyId -> generation, of keys that are no longer used; ids only, the keys are dropped. */
    private final Map<String, Integer> retired = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > RETIRED_KEYS_REMEMBERED;
        }
    });
    private volatile Epoch epoch;

    /** Makes the first epoch, for the device's current generation. Blocking (entropy). */
    public KeyRing(GenerationDevice device, List<RotationObserver> observers) {
        this.device = device;
        this.observers = List.copyOf(observers);
        int g = device.currentGeneration();
        this.epoch = Epoch.create(g, g, 0);
        events.tryEmitNext(GenerationEvent.of(epoch, device.name()));
        log.info("Signing key {} and ID prefix made for generation {}", epoch.keyId(),
                Integer.toUnsignedString(g));
    }

    /** The epoch in use, as it is (possibly stale for a moment after a restore). */
    public Epoch epoch() {
        return epoch;
    }

    /** The device this key ring follows. */
    public GenerationDevice device() {
        return device;
    }

    /**
     * The epoch for the device's current generation: at once if it is up to date, else after a
     * rotation on {@link Schedulers#boundedElastic()}.
     */
    public Mono<Epoch> current() {
        return Mono.defer(() -> {
            Epoch e = epoch;
            if (e.generation() == device.currentGeneration()) {
                return Mono.just(e);
            }
            return Mono.fromCallable(this::rotateToCurrent).subscribeOn(Schedulers.boundedElastic());
        });
    }

    /**
     * A new request ID from the current epoch. If the generation moved while it was being made,
     * it is discarded and a new one is made in the new epoch.
     */
    public Mono<IssuedId> issueId() {
        return current().flatMap(e -> {
            String id = e.nextId();
            if (device.currentGeneration() != e.generation()) {
                return issueId(); // restored in between: never hand out an ID of the old epoch
            }
            return Mono.just(new IssuedId(id, e.generationValue(), e.keyId()));
        });
    }

    /** Every epoch change, starting with the current one (hot, replays the latest). */
    public Flux<GenerationEvent> events() {
        return events.asFlux();
    }

    /** The generation of a retired key, if it is one of the last few retired. */
    public Optional<Integer> retiredGeneration(String keyId) {
        return Optional.ofNullable(retired.get(keyId));
    }

    /**
     * Rotates to the device's current generation unless the epoch is already there; returns
     * the epoch in use afterwards. Blocking: call it only where blocking is allowed.
     */
    public Epoch rotateToCurrent() {
        synchronized (rotationLock) {
            Epoch old = epoch;
            int target = device.currentGeneration();
            if (old.generation() == target) {
                return old;
            }
            for (RotationObserver o : observers) {
                o.beforeRotation(old, target);
            }
            Epoch next = Epoch.create(target, old.generation(), old.rotation() + 1);
            retired.put(old.keyId(), old.generation());
            epoch = next;
            Sinks.EmitResult r = events.tryEmitNext(GenerationEvent.of(next, device.name()));
            if (r.isFailure()) {
                log.warn("Generation event for {} not published: {}", next, r);
            }
            log.info("Generation {} -> {}: signing key {} retired, key {} and a new ID prefix in use ({} IDs and tokens "
                    + "were issued under the old one)", Integer.toUnsignedString(old.generation()),
                    Integer.toUnsignedString(target), old.keyId(), next.keyId(), old.issued());
            for (RotationObserver o : observers) {
                o.afterRotation(old, next);
            }
            return next;
        }
    }

    /** Ends the event stream (at shutdown). */
    void complete() {
        events.tryEmitComplete();
    }

    // ---- for tests: what restoring a snapshot does to this object's memory ---------------------

    /** The state a snapshot would capture: the epoch and how far its counter had gone. */
    record MemoryImage(Epoch epoch, long counter) {
    }

    MemoryImage memoryImage() {
        Epoch e = epoch;
        return new MemoryImage(e, e.counter().get());
    }

    /** Puts back the state of {@code image}, as a snapshot restore would. */
    void reinstate(MemoryImage image) {
        synchronized (rotationLock) {
            image.epoch().counter().set(image.counter());
            epoch = image.epoch();
        }
    }

    /** A request ID as the API returns it. */
    public record IssuedId(String id, long generation, String keyId) {
    }
}
