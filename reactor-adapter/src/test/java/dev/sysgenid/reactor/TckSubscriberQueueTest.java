/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.TestEnvironment.ManualSubscriber;

import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * The Reactive Streams TCK's test subscriber keeps what it receives in a blocking queue of its
 * own, whose lock the TCK's main thread takes while it polls for the next signal. A signal our
 * publisher delivers on a {@code Schedulers.parallel()} thread at that moment waits for the lock
 * (the thread parks): BlockHound, installed for every test of this module, must not count that
 * as a blocking call of ours. It did, and threw from the TCK's {@code onComplete} inside {@code
 * take(3)}: the completion was lost and {@code GenerationsTckTest} failed about one run in four on
 * a loaded 2-core machine ("Did not receive expected stream completion within 10000 ms").
 *
 * <p>Deterministic: the test holds the queue's lock (through the queue's own {@code forEach},
 * which keeps it while it visits the elements) while a parallel thread signals completion.
 */
class TckSubscriberQueueTest {

    private static final long DEADLINE_MILLIS = 10_000;

    @Test
    void aTckSubscriberWaitingForItsOwnQueueOnAParallelThreadIsNotABlockingCallOfOurs() throws Exception {
        TestEnvironment env = new TestEnvironment(DEADLINE_MILLIS);
        ManualSubscriber<Integer> sub = env.newManualSubscriber(Flux.<Integer>never());
        sub.onNext(1); // one element, so that forEach visits (and holds the lock for) one
        CompletableFuture<Void> completed = new CompletableFuture<>();
        AtomicReference<Thread> signaller = new AtomicReference<>();

        queueOf(sub).forEach(element -> { // the queue's lock is held from here to the end of the lambda
            Schedulers.parallel().schedule(() -> {
                signaller.set(Thread.currentThread());
                try {
                    sub.onComplete();
                    completed.complete(null);
                } catch (Throwable e) {
                    completed.completeExceptionally(e);
                }
            });
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
            // until the signal waits for the lock (parked) or has ended (BlockHound threw at the park)
            while (!completed.isDone() && !parked(signaller.get())) {
                assertThat(System.nanoTime()).as("the parallel thread neither parked nor finished").isLessThan(end);
                Thread.onSpinWait();
            }
        });

        assertThat(completed).succeedsWithin(DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
        assertThat(sub.nextElement()).isEqualTo(1);
        sub.expectCompletion();
        env.verifyNoAsyncErrorsNoDelay();
    }

    private static boolean parked(Thread t) {
        return t != null && t.getState() == Thread.State.WAITING;
    }

    /** The subscriber's receptacle's queue: private in the TCK, reached by reflection (class path). */
    private static BlockingQueue<?> queueOf(ManualSubscriber<?> sub) throws ReflectiveOperationException {
        Field received = ManualSubscriber.class.getDeclaredField("received");
        received.setAccessible(true);
        Object receptacle = received.get(sub);
        Field abq = receptacle.getClass().getDeclaredField("abq");
        abq.setAccessible(true);
        return (BlockingQueue<?>) abq.get(receptacle);
    }
}
