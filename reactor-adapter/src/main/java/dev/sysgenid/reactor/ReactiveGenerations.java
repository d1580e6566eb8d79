/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

import org.reactivestreams.Publisher;

import dev.sysgenid.GenerationDevice;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Generation changes of one {@link GenerationDevice} as Reactor publishers: the entry point of
 * this module.
 *
 * <pre>{@code
 * ReactiveGenerations generations = ReactiveGenerations.of(device);
 * generations.rekeyed(g -> keys.regenerate(), GenerationOptions.defaults().withTracked(true))
 *         .subscribe(g -> log.info("re-keyed for {}", g));
 * }</pre>
 *
 * <p>{@link #generations} (every change, acknowledged by you), {@link #rekeyed} (re-keyed and
 * acknowledged for you), {@link #nextChange} (one change, as a Mono) and {@link #rekeyedShared}
 * (one re-keying shared by many subscribers).
 *
 * <p>Every publisher but {@link #rekeyedShared} is cold: each subscription opens its own watcher (one file descriptor, two on
 * a simulated device) on the device, registers it with the device's shared {@link
 * dev.sysgenid.EpollLoop}, and closes
 * it when the subscription ends, whichever way it ends (cancel, complete, error, or a subscriber
 * that throws from {@code onNext}), through one clean-up path. A tracked subscription counts for
 * the overseer from subscribe to that close, and no longer.
 *
 * <p>Latest wins: the device reports the next change only after the previous one was
 * acknowledged, and then reports the newest generation. However often the counter moves while a
 * subscriber re-keys, it next sees only the newest generation, never a queue of stale ones. No
 * publisher here buffers more than one element.
 *
 * <p>This class holds the device (it does not own it: closing the device ends every subscription
 * with an error) and, for subscriptions delivered on {@link Schedulers#parallel()} (the
 * default), one worker of that scheduler per core, each shared by the subscriptions assigned to
 * it: a change reaching many subscriptions schedules one task per worker, not one per
 * subscription. Thread-safe.
 */
public final class ReactiveGenerations {

    private final GenerationDevice device;
    /** The lanes of {@link Schedulers#parallel()} (recreated if that instance is replaced). */
    private volatile DeliveryLanes parallelLanes;

    private ReactiveGenerations(GenerationDevice device) {
        this.device = device;
    }

    /** Shared lanes if {@code options} deliver on {@link Schedulers#parallel()}, else null. */
    private DeliveryLanes lanes(GenerationOptions options) {
        Scheduler parallel = Schedulers.parallel();
        if (options.scheduler() != parallel) {
            return null;
        }
        DeliveryLanes l = parallelLanes;
        if (l == null || l.scheduler() != parallel) {
            synchronized (this) {
                l = parallelLanes;
                if (l == null || l.scheduler() != parallel) {
                    l = new DeliveryLanes(parallel, Schedulers.DEFAULT_POOL_SIZE);
                    parallelLanes = l;
                }
            }
        }
        return l;
    }

    /**
     * Generations of {@code device}; the device stays the caller's to close.
     *
     * @param device the device to watch
     * @return the publishers' factory, holding nothing until subscribed to
     */
    public static ReactiveGenerations of(GenerationDevice device) {
        return new ReactiveGenerations(Objects.requireNonNull(device, "device"));
    }

    /** {@return the device these publishers watch} */
    public GenerationDevice device() {
        return device;
    }

    /**
     * The low-level form: every change of the generation counter, each to be acknowledged by
     * you with {@link Generation#ack()} once your state is re-keyed for it.
     *
     * <ul>
     * <li><b>Lifecycle.</b> Subscribing opens a watcher (tracked if {@link
     *     GenerationOptions#tracked()}) on the subscribing thread (quick system calls only; a
     *     failure such as {@link dev.sysgenid.FileLimitException} is signalled as {@code
     *     onError} on that thread). Cancel, from any thread, stops tracking at once and closes
     *     the file moments later on the loop thread; it never blocks. The flux never completes by itself; it ends with {@code
     *     onError} only if the device's loop ends (the device was closed, or a system call
     *     failed) or if its scheduler rejects a task (it was disposed: a {@link
     *     java.util.concurrent.RejectedExecutionException} that says so, after the watcher was
     *     closed). Operators downstream that complete it ({@code take}) cancel it, which closes
     *     the watcher.</li>
     * <li><b>Acknowledgement.</b> No further generation is emitted until the current one is
     *     acknowledged; then the next change, if any, is emitted with the newest value. A
     *     subscriber that never acknowledges sees one change only, and if tracked, holds the
     *     overseer up until the overseer's timeout.</li>
     * <li><b>Threads.</b> Once subscribed, all signals arrive on one worker of {@link
     *     GenerationOptions#scheduler()} (default {@link Schedulers#parallel()}, whose workers
     *     this class shares among subscriptions), in order, one at a time, never on the epoll
     *     thread or the requesting thread. A subscriber that blocks holds up the subscriptions
     *     sharing its worker: choose {@link Schedulers#boundedElastic()} then. Two exceptions:
     *     once that scheduler is disposed, the final {@code onError} arrives on {@link
     *     java.util.concurrent.ForkJoinPool#commonPool()}; and a subscriber that throws a
     *     JVM-fatal error ({@link VirtualMachineError}, {@link LinkageError}) from {@code onNext}
     *     gets no further signal (the error goes to the worker's error handling, {@code
     *     Schedulers.onHandleError}), but its watcher is closed and the subscriptions sharing its
     *     worker are served on.</li>
     * <li><b>Backpressure.</b> One slot, overwritten: a generation waits there until requested,
     *     and a newer one replaces it; a change is emitted with the counter's value at emission
     *     time, so a slow requester is never handed a stale one. With {@link
     *     GenerationOptions#emitCurrentOnSubscribe()} the slot starts with the current generation
     *     (see {@link Generation#isInitial()}).</li>
     * </ul>
     *
     * @param options tracking, the initial element, the delivering scheduler
     * @return a cold publisher: each subscription opens its own watcher
     */
    public Flux<Generation> generations(GenerationOptions options) {
        Objects.requireNonNull(options, "options");
        return OnNextGuard.guard(Flux.using(
                () -> WatchSession.open(device, options, lanes(options)),
                WatcherFlux::new,
                WatchSession::close));
    }

    /** {@return {@link #generations(GenerationOptions)} with {@link GenerationOptions#defaults()}} */
    public Flux<Generation> generations() {
        return generations(GenerationOptions.defaults());
    }

    /**
     * The high-level form: re-keys on every change and acknowledges once the re-keying
     * completes. Emits each generation whose acknowledgement the device accepted.
     *
     * <ul>
     * <li><b>Re-keying.</b> {@code rekey} is called with each generation and its publisher
     *     subscribed; when it completes (its elements are ignored), the generation is
     *     acknowledged. Re-keyings never overlap within one subscription. Do not call {@link
     *     Generation#ack()} yourself.</li>
     * <li><b>Stale acknowledgement.</b> If the counter moved during the re-keying, the
     *     acknowledgement is stale: nothing is emitted for that generation and {@code rekey} is
     *     called again, for the newest generation only, then that one is acknowledged.</li>
     * <li><b>Failures.</b> A re-keying that errors (or throws, or outlives {@link
     *     GenerationOptions#rekeyTimeout()}) is handled by {@link
     *     GenerationOptions#errorPolicy()}: by default the error ends the subscription, which
     *     closes its watcher, and reaches {@code onError}; see {@link RekeyErrorPolicy}.</li>
     * <li><b>Cancel.</b> Cancels a running re-keying (nothing is acknowledged) and closes the
     *     watcher, which releases an overseer waiting for it.</li>
     * <li><b>Threads.</b> {@code rekey} is called on a worker of {@link
     *     GenerationOptions#scheduler()} (retries: on that scheduler). Each generation is emitted
     *     on the thread that completed the re-keying publisher, right after the acknowledgement
     *     (on the scheduler's worker if it completes synchronously); {@code publishOn} if you
     *     need another.</li>
     * <li><b>Backpressure.</b> A generation is re-keyed only while one is requested: after each
     *     emitted element, the next change is neither re-keyed nor acknowledged until the
     *     subscriber has demand again; until then the device holds it (latest wins), the watcher
     *     stays outdated and, if tracked, the overseer waits for it. No queue.</li>
     * <li><b>Metrics.</b> With {@link GenerationOptions#withMetrics}, each re-keying is timed
     *     with its outcome.</li>
     * </ul>
     *
     * @param rekey regenerates your unique state for a generation; must not return null
     * @param options tracking, the initial element, the scheduler, the timeout, the error policy
     *        and the metrics
     * @return a cold publisher of the generations re-keyed for: each subscription opens its own
     *         watcher
     * @throws IllegalArgumentException if the options ask for a re-key timeout or RETRY and the
     *         delivering scheduler cannot run a task after a delay (see {@link
     *         GenerationOptions#withScheduler})
     */
    public Flux<Generation> rekeyed(Function<? super Generation, ? extends Publisher<?>> rekey,
            GenerationOptions options) {
        Objects.requireNonNull(rekey, "rekey");
        Objects.requireNonNull(options, "options");
        if (options.rekeyTimeout().isPresent() || options.errorPolicy() == RekeyErrorPolicy.RETRY) {
            options.requireTimingScheduler("the re-key timeout or RETRY's backoff");
        }
        return OnNextGuard.guard(Flux.using(
                () -> WatchSession.open(device, options, lanes(options)),
                session -> new RekeyOnDemand(new WatcherFlux(session), new Rekeying(session, rekey)::apply,
                        session::close),
                WatchSession::close));
    }

    /**
     * The next change of the generation, as one value: subscribing opens a watcher; the first
     * change it reports is acknowledged and emitted, and the watcher is closed.
     *
     * <ul>
     * <li><b>Acknowledgement.</b> The Mono acknowledges the change itself, before it emits it
     *     and before it closes the watcher: the {@link Generation} you receive is a plain value
     *     whose {@link Generation#ack()} has nothing left to do. So a tracked watcher
     *     ({@link GenerationOptions#tracked()}) counts for the overseer only from subscribe until
     *     the change arrives, never until you have re-keyed: if the overseer must wait for your
     *     re-keying, use {@code rekeyed(rekey, options.withTracked(true)).next()} instead.</li>
     * <li><b>Which change.</b> The first one after the watcher opened (if the counter moved
     *     several times meanwhile, the newest value: latest wins); never the generation current
     *     at subscribe, which {@link GenerationDevice#currentGeneration()} gives.</li>
     * <li><b>Release.</b> The watcher is closed on every path: the change emitted, cancel, an
     *     error (a device closed under it is a {@link dev.sysgenid.WatcherClosedException}).
     *     It never completes empty.</li>
     * <li><b>Threads.</b> The value is emitted on a worker of {@link
     *     GenerationOptions#scheduler()}, never on the epoll thread.</li>
     * </ul>
     *
     * @param options tracking and the delivering scheduler; {@link
     *        GenerationOptions#emitCurrentOnSubscribe()} must be off
     * @return a cold Mono: each subscription opens its own watcher and waits for its own change
     * @throws IllegalArgumentException if {@code options} emit the current generation on
     *         subscribe (the "next change" would then be the current generation)
     */
    public Mono<Generation> nextChange(GenerationOptions options) {
        Objects.requireNonNull(options, "options");
        if (options.emitCurrentOnSubscribe()) {
            throw new IllegalArgumentException("nextChange waits for a change, but these options emit the current "
                    + "generation on subscribe: pass options without withEmitCurrentOnSubscribe(true), and read the "
                    + "current generation with device().currentGeneration()");
        }
        return generations(options)
                .doOnNext(ReactiveGenerations::acknowledgeNow) // before next() cancels: the watcher is still open
                .next();
    }

    /** {@return {@link #nextChange(GenerationOptions)} with {@link GenerationOptions#defaults()}} */
    public Mono<Generation> nextChange() {
        return nextChange(GenerationOptions.defaults());
    }

    /**
     * {@link #nextChange(GenerationOptions)}, given up after {@code timeout}: if no change
     * arrived by then, the watcher is closed and the Mono fails with a {@link
     * NextChangeTimeoutException} (a {@link java.util.concurrent.TimeoutException}) that says
     * so; nothing stays open. The timer runs on {@link GenerationOptions#scheduler()} (so, under
     * {@code StepVerifier.withVirtualTime} with default options, in virtual time).
     *
     * @param timeout how long to wait for the change, positive (one longer than about 146 years
     *        is as good as that, as everywhere in this library)
     * @param options tracking and the delivering scheduler, as for {@link #nextChange(GenerationOptions)}
     * @return a cold Mono: each subscription opens its own watcher and times its own wait
     * @throws IllegalArgumentException if {@code timeout} is not positive, if the delivering
     *         scheduler cannot run a task after a delay (see {@link
     *         GenerationOptions#withScheduler}), or as {@link #nextChange(GenerationOptions)}
     */
    public Mono<Generation> nextChange(Duration timeout, GenerationOptions options) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the timeout of nextChange must be positive: " + timeout
                    + "; to wait with no limit, call nextChange(options)");
        }
        options.requireTimingScheduler("nextChange's timeout");
        return nextChange(options).timeout(timer(timeout, options.scheduler()),
                Mono.error(() -> new NextChangeTimeoutException(device.name(), timeout)));
    }

    /**
     * A timer for Reactor's {@code timeout}, on the delivering scheduler (so that a virtual-time
     * scheduler times it). A refused timer is that scheduler's end (disposed, or full), never an
     * expired timeout: Reactor's {@code timeout(Duration, fallback, Scheduler)} takes it for one,
     * and the wait would end at once with a timeout it never waited for. A scheduler that cannot
     * time at all is refused before (see {@link GenerationOptions#withScheduler}).
     */
    static Mono<Long> timer(Duration timeout, Scheduler scheduler) {
        return Mono.delay(GenerationOptions.atMostLongest(timeout), scheduler)
                .onErrorMap(RejectedExecutionException.class, e -> WatcherFlux.rejectedBy(scheduler, e));
    }

    /** Writes the acknowledgement of an emitted change at once (a no-op for one with nothing to write). */
    private static void acknowledgeNow(Generation g) {
        PendingAck ack = g.pendingAck();
        if (ack != null) {
            ack.write();
        }
    }

    /**
     * The shared (hot) form of {@link #rekeyed}: one watcher and one re-keying per change for
     * every subscriber, instead of one per subscription. Equivalent to {@code rekeyed(rekey,
     * options).publish(1).refCount()}, and this is what subscribers get:
     *
     * <ul>
     * <li><b>Connection.</b> The first subscriber opens the watcher; later ones join it and see
     *     the changes re-keyed from then on (not the ones before, nor the initial element of
     *     {@link GenerationOptions#withEmitCurrentOnSubscribe}, which only the subscribers
     *     present when it is emitted receive). When the last subscriber cancels, the watcher is
     *     closed; the next subscriber opens a new one.</li>
     * <li><b>Re-keying and acknowledgement.</b> {@code rekey} runs once per change, whatever the
     *     number of subscribers, and the change is acknowledged once, when it completes: every
     *     subscriber receives the same, already acknowledged, {@link Generation}. Latest wins as
     *     in {@link #rekeyed}: changes during a re-keying cost one more re-keying, for the
     *     newest.</li>
     * <li><b>Backpressure.</b> A change is emitted to all subscribers together, when each has
     *     requested one: the slowest subscriber paces the others. While it has no demand, one
     *     further change is re-keyed and acknowledged and waits for it (the one-element buffer of
     *     {@code publish(1)}); a change after that is not re-keyed and waits in the device
     *     (latest wins), its watcher outdated: if tracked, the overseer waits for it.</li>
     * <li><b>Errors.</b> A failure that ends the shared subscription (per {@link
     *     GenerationOptions#errorPolicy()}) reaches every subscriber and closes the watcher; a
     *     subscriber that subscribes after that opens a new one.</li>
     * </ul>
     *
     * <p>Do not share {@link #generations(GenerationOptions)} in the same way: its elements wait
     * for an acknowledgement, and whichever subscriber acknowledged first would release the next
     * change to all of them.
     *
     * @param rekey regenerates your unique state for a generation; must not return null
     * @param options as for {@link #rekeyed}
     * @return a hot publisher, connected while it has subscribers
     */
    public Flux<Generation> rekeyedShared(Function<? super Generation, ? extends Publisher<?>> rekey,
            GenerationOptions options) {
        return rekeyed(rekey, options).publish(1).refCount();
    }

    /**
     * The overseer's side, as Monos: opens an overseer (its own file descriptor) whose blocking
     * calls run on {@link Schedulers#boundedElastic()}. Close it when done.
     *
     * @return the overseer, the caller's to close
     */
    public ReactiveOverseer overseer() {
        return overseer(Schedulers.boundedElastic());
    }

    /**
     * {@link #overseer()} whose blocking calls run on {@code blockingScheduler}.
     *
     * @param blockingScheduler where the overseer's blocking calls run (must allow blocking)
     * @return the overseer, the caller's to close
     */
    public ReactiveOverseer overseer(Scheduler blockingScheduler) {
        Objects.requireNonNull(blockingScheduler, "blockingScheduler"); // before the fd is opened
        return new ReactiveOverseer(device.overseer(), blockingScheduler);
    }
}
