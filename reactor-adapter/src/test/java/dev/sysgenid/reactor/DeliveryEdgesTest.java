package dev.sysgenid.reactor;

import static dev.sysgenid.reactor.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import dev.sysgenid.DriverProfile;
import dev.sysgenid.SimulatedDevice;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The delivery's edges that reviews found: a subscriber that misbehaves in onSubscribe, a request
 * from another thread racing the start, a live scheduler that cannot schedule with a delay, and a
 * cancel between a re-keying's element and its completion.
 */
class DeliveryEdgesTest {

    private SimulatedDevice device;
    private ReactiveGenerations generations;

    @BeforeEach
    void open() {
        device = SimulatedDevice.create(41, DriverProfile.OURS);
        generations = ReactiveGenerations.of(device);
        device.loop();
        device.currentGeneration();
    }

    @AfterEach
    void close() {
        device.close();
    }

    /**
     * A live scheduler over a plain ExecutorService (Schedulers.fromExecutorService of a fixed
     * pool): delivery works on it, but it cannot run a task after a delay, so it cannot time
     * nextChange's timeout, a re-key timeout or RETRY's backoff. Those are refused when asked
     * for, with what to use instead (before, the timeout failed at once, as if it had expired).
     */
    @Test
    void timersAreRefusedOnASchedulerThatCannotScheduleWithADelay() {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        Scheduler s = Schedulers.fromExecutorService(pool);
        try {
            GenerationOptions options = GenerationOptions.defaults().withScheduler(s);
            assertThat(generations.generations(options.withEmitCurrentOnSubscribe(true)).blockFirst(Duration.ofSeconds(5)))
                    .as("delivery works on it").isNotNull();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> generations.nextChange(Duration.ofSeconds(5), options))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nextChange's timeout")
                    .hasMessageContaining("ScheduledExecutorService");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> generations.rekeyed(g -> Mono.empty(),
                            options.withRekeyTimeout(Duration.ofSeconds(5))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("re-key timeout");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> generations.rekeyed(g -> Mono.empty(),
                            options.withErrorPolicy(RekeyErrorPolicy.RETRY)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backoff");
            assertThat(generations.rekeyed(g -> Mono.empty(), options)).as("no timer asked for: accepted").isNotNull();
            eventually(() -> assertThat(device.loop().size()).isZero());
        } finally {
            s.dispose();
        }
    }

    /**
     * onSubscribe throws, and so does the subscriber's currentContext() (which discarding the
     * initial element asks for): the session is released all the same, and the first error stays
     * the one reported.
     */
    @Test
    void aSubscriberWhoseOnSubscribeAndContextThrowLeavesNoRegistration() {
        Throwable thrown = null;
        try {
            generations.generations(GenerationOptions.defaults().withEmitCurrentOnSubscribe(true))
                    .subscribe(new reactor.core.CoreSubscriber<Generation>() {
                        @Override
                        public reactor.util.context.Context currentContext() {
                            throw new IllegalStateException("ctx");
                        }

                        @Override
                        public void onSubscribe(Subscription sub) {
                            throw new IllegalStateException("boom");
                        }

                        @Override
                        public void onNext(Generation g) {
                        }

                        @Override
                        public void onError(Throwable t) {
                        }

                        @Override
                        public void onComplete() {
                        }
                    });
        } catch (Throwable e) {
            thrown = e; // where Reactor cannot report it (it asks the context too)
        }
        eventually(() -> assertThat(device.loop().size()).as("loop registrations after a failed subscribe").isZero());
        if (thrown != null) {
            assertThat(thrown).hasStackTraceContaining("boom");
        }
    }

    /** onSubscribe throws: the initial element set in the slot is never emitted; is it discarded? */
    @Test
    void initialElementOfASubscriberWhoseOnSubscribeThrowsIsDiscarded() {
        List<Object> discarded = new CopyOnWriteArrayList<>();
        OnSubscribeThrower subscriber = new OnSubscribeThrower();
        generations.generations(GenerationOptions.defaults().withEmitCurrentOnSubscribe(true))
                .doOnDiscard(Generation.class, discarded::add)
                .subscribe(subscriber);
        eventually(() -> assertThat(device.loop().size()).isZero());
        assertThat(subscriber.errors).hasSize(1);
        assertThat(discarded).as("the never-emitted initial element").hasSize(1);
    }

    /**
     * A downstream request from another thread (publishOn does that) lands while the inner
     * re-keying has passed its element (acknowledged, recorded) but not yet completed; the
     * element is emitted at once and the subscriber cancels (next(), take(1)). The cancel still
     * reaches the live inner, and doOnCancel records a 'cancelled' re-keying next to the
     * 'acknowledged' one. The hook only widens the window between the inner's onNext and its
     * onComplete (no user code runs there; another thread's request can land there by chance).
     */
    @Test
    void aCancelBetweenARekeyingsElementAndItsCompletionIsNotRecordedAsCancelled() throws Exception {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        CountDownLatch inGap = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicLong gapSpins = new java.util.concurrent.atomic.AtomicLong();
        reactor.core.publisher.Hooks.onEachOperator("review-gap", reactor.core.publisher.Operators.lift((sc, sub) -> {
            if (!(((Object) sub) instanceof RekeyOnDemand.Inner)) {
                return sub;
            }
            return new reactor.core.CoreSubscriber<Object>() {
                @Override
                public reactor.util.context.Context currentContext() {
                    return sub.currentContext();
                }
                @Override
                public void onSubscribe(Subscription s) {
                    sub.onSubscribe(s);
                }
                @Override
                @SuppressWarnings("unchecked")
                public void onNext(Object o) {
                    ((reactor.core.CoreSubscriber<Object>) sub).onNext(o);
                    if (armed.compareAndSet(true, false)) {
                        inGap.countDown();
                        // a busy wait: on a parallel thread BlockHound refuses a park, and onSpinWait too
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        while (resume.getCount() > 0 && System.nanoTime() < deadline) {
                            gapSpins.incrementAndGet();
                        }
                    }
                }
                @Override
                public void onError(Throwable t) {
                    sub.onError(t);
                }
                @Override
                public void onComplete() {
                    sub.onComplete();
                }
            };
        }));
        try {
            AtomicReference<Subscription> sub = new AtomicReference<>();
            List<Generation> got = new CopyOnWriteArrayList<>();
            generations.rekeyed(g -> Mono.empty(), GenerationOptions.defaults().withTracked(true)
                    .withMetrics(registry, "keys")).subscribe(new Subscriber<Generation>() {
                        @Override
                        public void onSubscribe(Subscription s) {
                            sub.set(s);
                            s.request(1);
                        }
                        @Override
                        public void onNext(Generation g) {
                            got.add(g);
                            sub.get().cancel(); // as next() / take(1) do
                        }
                        @Override
                        public void onError(Throwable t) {
                        }
                        @Override
                        public void onComplete() {
                        }
                    });
            eventually(() -> assertThat(device.kernelCounts().trackedWatchers()).isEqualTo(1));
            device.bump();
            assertThat(inGap.await(10, TimeUnit.SECONDS)).isTrue();
            sub.get().request(1); // another thread's request, as publishOn's replenishing one
            resume.countDown();
            eventually(() -> assertThat(device.loop().size()).isZero());
            assertThat(got).hasSize(1);
            assertThat(registry.get("sysgenid.rekey").tag("outcome", "acknowledged").timer().count()).isEqualTo(1);
            assertThat(registry.get("sysgenid.rekey").tag("outcome", "cancelled").timer().count())
                    .as("re-keyings recorded as cancelled, after the acknowledged one was emitted").isZero();
        } finally {
            resume.countDown();
            reactor.core.publisher.Hooks.resetOnEachOperator("review-gap");
        }
    }

    /** request() from another thread racing start(): the initial element always arrives; cancel racing: no leak. */
    @Test
    void requestAndCancelFromAnotherThreadRacingStart() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < 400; i++) {
                int spin = i % 40 * 50;
                boolean cancelToo = i % 3 == 0;
                CountDownLatch got = new CountDownLatch(1);
                List<String> bad = new CopyOnWriteArrayList<>();
                java.util.concurrent.atomic.AtomicBoolean inOnSubscribe = new java.util.concurrent.atomic.AtomicBoolean();
                java.util.concurrent.atomic.AtomicInteger nexts = new java.util.concurrent.atomic.AtomicInteger();
                AtomicReference<Subscription> held = new AtomicReference<>();
                generations.generations(GenerationOptions.defaults().withTracked(true).withEmitCurrentOnSubscribe(true))
                        .subscribe(new Subscriber<Generation>() {
                            @Override
                            public void onSubscribe(Subscription s) {
                                held.set(s);
                                inOnSubscribe.set(true);
                                other.execute(() -> {
                                    for (int k = 0; k < spin; k++) {
                                        Thread.onSpinWait();
                                    }
                                    s.request(1);
                                    if (cancelToo) {
                                        s.cancel();
                                        got.countDown();
                                    }
                                });
                                for (int k = 0; k < 1000 - spin; k++) {
                                    Thread.onSpinWait();
                                }
                                inOnSubscribe.set(false);
                            }
                            @Override
                            public void onNext(Generation g) {
                                if (inOnSubscribe.get()) {
                                    bad.add("onNext during onSubscribe");
                                }
                                if (nexts.incrementAndGet() > 1) {
                                    bad.add("second onNext");
                                }
                                got.countDown();
                            }
                            @Override
                            public void onError(Throwable t) {
                                bad.add("onError " + t);
                                got.countDown();
                            }
                            @Override
                            public void onComplete() {
                                bad.add("onComplete");
                            }
                        });
                assertThat(got.await(5, TimeUnit.SECONDS)).as("iteration " + i + ": initial element").isTrue();
                assertThat(bad).as("iteration " + i).isEmpty();
                held.get().cancel();
                eventually(() -> assertThat(device.loop().size()).isZero());
            }
        } finally {
            other.shutdownNow();
        }
    }
}
