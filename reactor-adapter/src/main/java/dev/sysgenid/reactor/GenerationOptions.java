/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * How one subscription of {@link ReactiveGenerations} watches the device. Immutable: every
 * {@code with...} method returns a copy. Start from {@link #defaults()}.
 *
 * <pre>{@code
 * GenerationOptions options = GenerationOptions.defaults()
 *         .withTracked(true)                           // the overseer waits for us
 *         .withEmitCurrentOnSubscribe(true)            // initialise from the current generation
 *         .withRekeyTimeout(Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>Micrometer is optional: {@link #withMetrics} is the only method that needs it on the
 * class path, and only when called.
 */
public final class GenerationOptions {

    private static final GenerationOptions DEFAULTS = new GenerationOptions(false, false, null, true, null,
            RekeyErrorPolicy.PROPAGATE, 3, Duration.ofMillis(100), null, "default");

    private final boolean tracked;
    private final boolean emitCurrentOnSubscribe;
    private final Scheduler scheduler; // null: Schedulers.parallel(), resolved at subscription
    /** Whether {@link #scheduler} can run a task after a delay, as withScheduler's probe found. */
    private final boolean schedulerTimes;
    private final Duration rekeyTimeout; // null: none
    private final RekeyErrorPolicy errorPolicy;
    private final long maxRetries;
    private final Duration retryBackoff;
    private final Object meterRegistry; // a MeterRegistry, typed Object so Micrometer stays optional
    private final String metricsName;

    private GenerationOptions(boolean tracked, boolean emitCurrentOnSubscribe, Scheduler scheduler,
            boolean schedulerTimes, Duration rekeyTimeout, RekeyErrorPolicy errorPolicy, long maxRetries,
            Duration retryBackoff, Object meterRegistry, String metricsName) {
        this.tracked = tracked;
        this.emitCurrentOnSubscribe = emitCurrentOnSubscribe;
        this.scheduler = scheduler;
        this.schedulerTimes = schedulerTimes;
        this.rekeyTimeout = rekeyTimeout;
        this.errorPolicy = errorPolicy;
        this.maxRetries = maxRetries;
        this.retryBackoff = retryBackoff;
        this.meterRegistry = meterRegistry;
        this.metricsName = metricsName;
    }

    /**
     * Untracked, no initial element, signals on {@link Schedulers#parallel()}, no re-keying
     * timeout, {@link RekeyErrorPolicy#PROPAGATE} (3 retries from 100 ms if switched to
     * {@link RekeyErrorPolicy#RETRY}), no metrics.
     *
     * @return the default options (one shared, immutable instance)
     */
    public static GenerationOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Whether the subscription's watcher is tracked: the overseer's wait then counts it while it
     * is outdated. Track only subscriptions that re-key and acknowledge promptly; a tracked
     * subscriber that never acknowledges holds the overseer up until its timeout.
     *
     * @param on true to track
     * @return a copy of these options with that setting
     */
    public GenerationOptions withTracked(boolean on) {
        return new GenerationOptions(on, emitCurrentOnSubscribe, scheduler, schedulerTimes, rekeyTimeout, errorPolicy,
                maxRetries, retryBackoff, meterRegistry, metricsName);
    }

    /**
     * Whether a subscription first emits the generation current when it subscribed (an element
     * whose {@link Generation#isInitial()} is true and whose acknowledgement is a no-op), so a
     * late subscriber can initialise its state. If the counter moves before that element is
     * requested, the change replaces it (latest wins).
     *
     * @param on true to emit the current generation first
     * @return a copy of these options with that setting
     */
    public GenerationOptions withEmitCurrentOnSubscribe(boolean on) {
        return new GenerationOptions(tracked, on, scheduler, schedulerTimes, rekeyTimeout, errorPolicy, maxRetries,
                retryBackoff, meterRegistry, metricsName);
    }

    /**
     * The scheduler whose worker delivers every signal of a subscription: for {@link
     * Schedulers#parallel()}, one of a few workers that {@link ReactiveGenerations} shares among
     * its subscriptions; for any other scheduler, a worker of the subscription's own, taken on
     * subscribe and disposed when it ends. It also runs the re-keying
     * timeout and retry timers, and nextChange's timeout: where one of those is asked for, a
     * scheduler that cannot run a task after a delay (one over a plain {@code ExecutorService})
     * is refused with an {@link IllegalArgumentException}. Default {@link Schedulers#parallel()}: use
     * {@link Schedulers#boundedElastic()} if your subscriber blocks. Disposing the scheduler ends
     * the subscriptions it delivers with a {@link java.util.concurrent.RejectedExecutionException}
     * (at their next signal).
     *
     * <p>A scheduler whose workers run a task inline, on the thread that schedules it, is
     * refused: the epoll loop's thread would then run your subscriber, and every subscription of
     * the device would wait for it. That is {@link Schedulers#immediate()} and any scheduler
     * over an executor that runs tasks in the caller ({@code Schedulers.fromExecutor(Runnable::run)}):
     * this method schedules one empty task on a new worker of {@code scheduler} (disposed at
     * once) and refuses it if that task ran inline; a second one, after a delay, tells whether
     * the scheduler can time (the refusal above, where a timer is asked for). A disposed
     * scheduler is not refused here: its subscriptions end with the error above. reactor-test's {@code VirtualTimeScheduler}
     * is accepted, for tests in virtual time (it does run tasks inline).
     *
     * @param scheduler the delivering scheduler
     * @return a copy of these options with that setting
     * @throws IllegalArgumentException if {@code scheduler} runs tasks inline, or fails to create
     *         a worker or to take the probe's task with anything but a {@link
     *         RejectedExecutionException} (its own error is the cause); the message names the
     *         schedulers to use instead
     */
    public GenerationOptions withScheduler(Scheduler scheduler) {
        boolean times = probe(Objects.requireNonNull(scheduler, "scheduler"));
        return new GenerationOptions(tracked, emitCurrentOnSubscribe, scheduler, times,
                rekeyTimeout, errorPolicy, maxRetries, retryBackoff, meterRegistry, metricsName);
    }

    private static final String VIRTUAL_TIME = "reactor.test.scheduler.VirtualTimeScheduler";

    /** Refuses, for {@code what}, a delivering scheduler that cannot time it (see {@link #withScheduler}). */
    void requireTimingScheduler(String what) {
        if (!schedulerTimes) {
            throw new IllegalArgumentException(what + " needs a scheduler that can run a task after a delay, and the "
                    + "delivering scheduler " + scheduler + " cannot (Schedulers.fromExecutorService over an "
                    + "ExecutorService that is not a ScheduledExecutorService): deliver on Schedulers.parallel() (the "
                    + "default), or on Schedulers.fromExecutorService of a ScheduledExecutorService");
        }
    }

    /**
     * Refuses a scheduler whose worker runs a task on the scheduling thread (see {@link
     * #withScheduler}), and tells whether it can run a task after a delay, which the timers need
     * (a timeout, RETRY's backoff): one over a plain {@code ExecutorService}
     * ({@code Schedulers.fromExecutorService} of one that is not a {@code
     * ScheduledExecutorService}) takes tasks but cannot. One worker of its own (disposed at once)
     * takes a no-op task, then one after a delay. A scheduler that refuses the first (disposed,
     * or full) is not taken for one that cannot time: its subscriptions end with its own error.
     */
    private static boolean probe(Scheduler scheduler) {
        if (scheduler.getClass().getName().equals(VIRTUAL_TIME)) {
            return true;
        }
        boolean inline = scheduler == Schedulers.immediate();
        boolean times = true;
        if (!inline) {
            Thread caller = Thread.currentThread();
            AtomicBoolean ranHere = new AtomicBoolean();
            try {
                Scheduler.Worker probe = scheduler.createWorker();
                try {
                    probe.schedule(() -> ranHere.compareAndSet(false, Thread.currentThread() == caller));
                    try {
                        probe.schedule(() -> { }, 1, TimeUnit.NANOSECONDS);
                    } catch (RejectedExecutionException refusedWithADelay) {
                        times = false; // took a task now, refuses one for later: cannot time
                    }
                } finally {
                    probe.dispose();
                }
            } catch (RejectedExecutionException disposed) {
                return true; // a disposed scheduler: its subscriptions end with an explanatory error
            } catch (RuntimeException broken) {
                throw new IllegalArgumentException("the scheduler " + scheduler + " failed to take a task on a new "
                        + "worker (" + broken + "), so every subscription delivered there would fail the same way; "
                        + "pass a working scheduler: Schedulers.parallel() (the default) or, for a subscriber that "
                        + "blocks, Schedulers.boundedElastic()", broken);
            }
            inline = ranHere.get();
        }
        if (inline) {
            throw new IllegalArgumentException("the scheduler " + scheduler + " runs tasks inline, on the thread "
                    + "that schedules them: the device's epoll loop thread would run your subscriber and hold up "
                    + "every other subscription; use Schedulers.parallel() (the default) or, for a subscriber that "
                    + "blocks, Schedulers.boundedElastic(), and publishOn(...) downstream if you need another thread");
        }
        return times;
    }

    /**
     * For {@link ReactiveGenerations#rekeyed}: a re-keying that has not completed after {@code
     * timeout} is cancelled and fails with a {@link java.util.concurrent.TimeoutException},
     * handled by the {@link #withErrorPolicy error policy}. Each generation (and each retry)
     * gets the full timeout.
     *
     * @param timeout the limit per re-keying, positive (one longer than about 146 years is as
     *        good as that)
     * @return a copy of these options with that setting
     */
    public GenerationOptions withRekeyTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("rekey timeout must be positive: " + timeout
                    + "; for no limit, leave the rekey timeout unset");
        }
        return new GenerationOptions(tracked, emitCurrentOnSubscribe, scheduler, schedulerTimes,
                atMostLongest(timeout), errorPolicy, maxRetries, retryBackoff, meterRegistry, metricsName);
    }

    /**
     * For {@link ReactiveGenerations#rekeyed}: what a failed re-keying does (default {@link
     * RekeyErrorPolicy#PROPAGATE}).
     *
     * @param policy the policy
     * @return a copy of these options with that setting
     */
    public GenerationOptions withErrorPolicy(RekeyErrorPolicy policy) {
        return new GenerationOptions(tracked, emitCurrentOnSubscribe, scheduler, schedulerTimes, rekeyTimeout,
                Objects.requireNonNull(policy, "policy"), maxRetries, retryBackoff, meterRegistry, metricsName);
    }

    /**
     * Selects {@link RekeyErrorPolicy#RETRY} with at most {@code maxRetries} retries per
     * generation, the first after {@code backoff}, each later one after twice the previous delay.
     *
     * @param maxRetries retries per generation, 0 or more
     * @param backoff the delay before the first retry, not negative (one longer than about 146
     *        years is as good as that)
     * @return a copy of these options with that setting
     */
    public GenerationOptions withRetries(long maxRetries, Duration backoff) {
        Objects.requireNonNull(backoff, "backoff");
        if (maxRetries < 0 || backoff.isNegative()) {
            throw new IllegalArgumentException("retries and backoff must not be negative: " + maxRetries + ", "
                    + backoff);
        }
        return new GenerationOptions(tracked, emitCurrentOnSubscribe, scheduler, schedulerTimes, rekeyTimeout,
                RekeyErrorPolicy.RETRY, maxRetries, atMostLongest(backoff), meterRegistry, metricsName);
    }

    /**
     * The longest delay the schedulers take (in nanoseconds, with room to add to a clock):
     * about 146 years. A longer one is as good as that, as in core's timeouts; the schedulers
     * themselves would throw ArithmeticException at every use.
     */
    static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE / 2);

    static Duration atMostLongest(Duration d) {
        return d.compareTo(LONGEST) > 0 ? LONGEST : d;
    }

    /**
     * Meters the subscriptions made with these options in {@code registry}:
     *
     * <ul>
     * <li>{@code sysgenid.rekey}, a {@code Timer} of every re-keying of {@link
     *     ReactiveGenerations#rekeyed}, tagged {@code device}, {@code subscriber} (= {@code
     *     name}) and {@code outcome} ({@code acknowledged}, {@code stale}, {@code failed},
     *     {@code timed_out}, {@code cancelled});</li>
     * <li>{@code sysgenid.changes}, a {@code Counter} (base unit {@code changes}) of the
     *     generation changes reported to these subscriptions' watchers, of any of this class's
     *     publishers, tagged {@code device} and {@code subscriber};</li>
     * <li>{@code sysgenid.watchers.tracked} and {@code sysgenid.watchers.outdated}, gauges
     *     (base unit {@code watchers}) of the device's counts, tagged {@code device}: {@code NaN}
     *     where the driver reports no counts (the production driver: {@link
     *     dev.sysgenid.GenerationDevice#counts()} is empty) or the device is closed, never a
     *     made-up 0.</li>
     * </ul>
     *
     * <p>Registered when a subscription opens, once per registry, device name and {@code name}:
     * later subscriptions find the same meters, so subscribing adds none, and nothing is removed
     * when a subscription ends. The gauges read the device of the subscription that
     * registered them, weakly referenced: once it is closed they read {@code NaN}, and the next
     * subscription on an open device of the same name registers them again for its device. A
     * meter that throws when it records (a faulty registry) never fails a subscription: the error
     * goes to Reactor's {@code Hooks.onErrorDropped} and the change is delivered and
     * acknowledged as without metrics. Needs micrometer-core on the class path; without this
     * call it is never loaded.
     *
     * @param registry where the timer is registered
     * @param name a low-cardinality name for this kind of subscriber, such as {@code "tls-keys"}
     * @return a copy of these options with that setting
     */
    @SuppressWarnings("exports") // Micrometer is optional: whoever calls this has it
    public GenerationOptions withMetrics(io.micrometer.core.instrument.MeterRegistry registry, String name) {
        return new GenerationOptions(tracked, emitCurrentOnSubscribe, scheduler, schedulerTimes, rekeyTimeout,
                errorPolicy, maxRetries, retryBackoff, Objects.requireNonNull(registry, "registry"),
                Objects.requireNonNull(name, "name"));
    }

    /** {@return whether the watcher is tracked} */
    public boolean tracked() {
        return tracked;
    }

    /** {@return whether the current generation is emitted first} */
    public boolean emitCurrentOnSubscribe() {
        return emitCurrentOnSubscribe;
    }

    /** {@return the delivering scheduler ({@link Schedulers#parallel()} unless set)} */
    public Scheduler scheduler() {
        return scheduler != null ? scheduler : Schedulers.parallel();
    }

    /** {@return the per-generation re-keying timeout, if any} */
    public Optional<Duration> rekeyTimeout() {
        return Optional.ofNullable(rekeyTimeout);
    }

    /** {@return what a failed re-keying does} */
    public RekeyErrorPolicy errorPolicy() {
        return errorPolicy;
    }

    /** {@return retries per generation under {@link RekeyErrorPolicy#RETRY}} */
    public long maxRetries() {
        return maxRetries;
    }

    /** {@return the first retry delay under {@link RekeyErrorPolicy#RETRY}} */
    public Duration retryBackoff() {
        return retryBackoff;
    }

    /** {@return whether {@link #withMetrics} was given a registry} */
    public boolean hasMetrics() {
        return meterRegistry != null;
    }

    /** {@return the {@code subscriber} tag of the metrics} */
    public String metricsName() {
        return metricsName;
    }

    Object meterRegistry() {
        return meterRegistry;
    }

    @Override
    public String toString() {
        return "GenerationOptions[tracked=" + tracked + ", emitCurrentOnSubscribe=" + emitCurrentOnSubscribe
                + ", scheduler=" + scheduler() + ", rekeyTimeout=" + rekeyTimeout + ", errorPolicy=" + errorPolicy
                + (errorPolicy == RekeyErrorPolicy.RETRY ? " (" + maxRetries + " from " + retryBackoff + ")" : "")
                + (meterRegistry != null ? ", metrics=" + metricsName : "") + "]";
    }
}
