/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.webflux;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import dev.sysgenid.reactor.Generation;
import dev.sysgenid.reactor.GenerationOptions;
import dev.sysgenid.reactor.ReactiveGenerations;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * The service's one TRACKED subscription to the device: on every generation change it rotates
 * the key ring (on {@link Schedulers#boundedElastic()}: rotation reads the entropy source), and
 * only when that completed does the adapter acknowledge the generation. An overseer's wait
 * therefore returns only after this service has rotated its key.
 *
 * <p>Lifecycle: subscribed before the web server starts taking requests, disposed after it
 * stopped; disposing closes the watcher (tracking ends at once). If a rotation fails or times
 * out, the subscription ends (its watcher closes, so the overseer is not held up) and is
 * re-made after a backoff; health reports DOWN meanwhile.
 */
public final class GenerationRotator implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GenerationRotator.class);

    private final ReactiveGenerations generations;
    private final KeyRing keys;
    private final Duration rekeyTimeout;
    private final AtomicLong acknowledged = new AtomicLong();
    private volatile Disposable subscription;
    private volatile boolean subscribed;
    private volatile Throwable lastError;

    public GenerationRotator(ReactiveGenerations generations, KeyRing keys, Duration rekeyTimeout) {
        this.generations = generations;
        this.keys = keys;
        this.rekeyTimeout = rekeyTimeout;
    }

    @Override
    public synchronized void start() {
        if (subscription != null) {
            return;
        }
        GenerationOptions options = GenerationOptions.defaults()
                .withTracked(true)
                // the element for the generation current at subscription re-checks the key ring,
                // which closes the gap between making the first key and subscribing
                .withEmitCurrentOnSubscribe(true)
                .withRekeyTimeout(rekeyTimeout);
        subscription = generations.rekeyed(this::rotate, options)
                .doOnSubscribe(s -> {
                    subscribed = true;
                    lastError = null;
                })
                .doOnError(e -> {
                    subscribed = false;
                    lastError = e;
                    log.error("Key rotation failed; the generation subscription ended and is re-made shortly", e);
                })
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500)).maxBackoff(Duration.ofSeconds(30)))
                .subscribe(this::acknowledged,
                        e -> log.error("Generation subscription ended for good", e));
        log.info("Subscribed (tracked) to generation changes of {}", generations.device().name());
    }

    private Mono<Epoch> rotate(Generation g) {
        return Mono.fromCallable(keys::rotateToCurrent).subscribeOn(Schedulers.boundedElastic());
    }

    private void acknowledged(Generation g) {
        acknowledged.incrementAndGet();
        if (!g.isInitial()) {
            log.info("Generation {} acknowledged after rotating to key {}", g.valueText(), keys.epoch().keyId());
        }
    }

    @Override
    public synchronized void stop() {
        Disposable d = subscription;
        subscription = null;
        subscribed = false;
        if (d != null) {
            d.dispose(); // cancels: the watcher stops being tracked now and is closed
            log.info("Generation subscription closed");
        }
        keys.complete();
    }

    @Override
    public boolean isRunning() {
        return subscription != null;
    }

    /** Before the web server starts (and so after it stops). */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    /** Whether the tracked subscription is in place now. */
    public boolean isSubscribed() {
        return subscribed && subscription != null;
    }

    /** The error that ended the last subscription, if it has not been re-made since. */
    public Throwable lastError() {
        return lastError;
    }

    /** Generations acknowledged so far (the one current at subscription included). */
    public long acknowledgedCount() {
        return acknowledged.get();
    }
}
