/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.reactivestreams.Publisher;

import dev.sysgenid.AckResult;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;
import reactor.util.retry.Retry;

/**
 * Re-keys one generation of one session and acknowledges it: the inner publisher of {@link
 * ReactiveGenerations#rekeyed}'s {@code concatMap}. Emits the generation if the acknowledgement
 * was accepted, nothing if it was stale (the loop then reports the newest generation, which is
 * re-keyed next), and applies the {@link RekeyErrorPolicy} to failures.
 */
final class Rekeying {

    private final WatchSession session;
    private final Function<? super Generation, ? extends Publisher<?>> rekey;

    Rekeying(WatchSession session, Function<? super Generation, ? extends Publisher<?>> rekey) {
        this.session = session;
        this.rekey = rekey;
    }

    Mono<Generation> apply(Generation g) {
        GenerationOptions o = session.options();
        Mono<Generation> once = attempt(g);
        return switch (o.errorPolicy()) {
            case PROPAGATE -> once;
            case RETRY -> once.retryWhen(Retry.backoff(o.maxRetries(), o.retryBackoff())
                    .jitter(0)
                    .maxBackoff(GenerationOptions.LONGEST) // Reactor's default max overflows its own timer
                    .scheduler(session.scheduler())
                    .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
            case RELEASE -> once.onErrorResume(e -> Mono.deferContextual(ctx -> {
                session.release();
                PendingAck p = g.pendingAck();
                if (p != null) {
                    p.skip(); // so the next change is delivered; a stale one is fine too
                }
                Operators.onErrorDropped(e, Context.of(ctx));
                return Mono.<Generation>empty();
            }));
        };
    }

    /** One re-keying and its acknowledgement, timed. */
    private Mono<Generation> attempt(Generation g) {
        return Mono.defer(() -> {
            long start = now();
            Mono<Void> work = Mono.defer(() -> Flux.from(rekey.apply(g)).then());
            if (session.options().rekeyTimeout().isPresent()) {
                Duration limit = session.options().rekeyTimeout().get();
                work = work.timeout(ReactiveGenerations.timer(limit, session.scheduler()), Mono.error(() ->
                        new TimeoutException("the re-keying for generation " + Integer.toUnsignedString(g.value())
                                + " did not finish within " + limit + ", the re-key timeout "
                                + "(GenerationOptions.withRekeyTimeout); what follows is the error policy's "
                                + "(GenerationOptions.withErrorPolicy): make the re-keying faster, or give it a "
                                + "longer timeout")));
            }
            return work
                    .then(Mono.fromSupplier(() -> acknowledge(g)))
                    .doOnNext(r -> record(start, r == AckResult.ACKNOWLEDGED
                            ? RekeyMetrics.Outcome.ACKNOWLEDGED : RekeyMetrics.Outcome.STALE))
                    .filter(r -> r == AckResult.ACKNOWLEDGED)
                    .map(r -> g)
                    .doOnError(e -> record(start, e instanceof TimeoutException
                            ? RekeyMetrics.Outcome.TIMED_OUT : RekeyMetrics.Outcome.FAILED))
                    .doOnCancel(() -> record(start, RekeyMetrics.Outcome.CANCELLED));
        });
    }

    /** The initial element needs no write: the watcher was up to date with it. */
    private AckResult acknowledge(Generation g) {
        if (g.isInitial()) {
            return AckResult.ACKNOWLEDGED;
        }
        PendingAck p = g.pendingAck();
        return p != null ? p.write() : null;
    }

    private void record(long start, RekeyMetrics.Outcome outcome) {
        session.metrics().record(now() - start, outcome);
    }

    private long now() {
        return session.scheduler().now(TimeUnit.NANOSECONDS);
    }
}
