/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.sysgenid.internal.SimulatedKernel;

/**
 * A repeated acknowledgement of a generation (documented: written, ends nothing, never brings
 * a change twice) whose write succeeded before the next change but whose thread records it only
 * after a later acknowledgement: the loop must not take the page's newer generation for a change
 * the file has acknowledged already. The slow thread is held between its write and the rest
 * of {@link Watcher#acknowledge}, and the loop is held while the race is set up.
 */
class RepeatedAcknowledgementRaceTest extends LoopFixture {

    @Test
    void aRepeatedAcknowledgementRecordedLateDoesNotBringTheCurrentGenerationTwice() throws Exception {
        AtomicInteger holdWriteOf = new AtomicInteger(-1);
        CountDownLatch writeDone = new CountDownLatch(1);
        CountDownLatch releaseWrite = new CountDownLatch(1);
        SimulatedKernel kernel = new SimulatedKernel(0, DriverProfile.OURS);
        try (WrappedKernelDevice d = new WrappedKernelDevice(kernel, "slow-ack", file -> new ForwardingFile(file) {
            @Override
            public int write(int generation, int byteCount) {
                int r = super.write(generation, byteCount);
                if (holdWriteOf.compareAndSet(generation, -1)) {
                    writeDone.countDown();
                    await(releaseWrite); // written; the watcher has not recorded it yet
                }
                return r;
            }
        })) {
            record Call(LoopRegistration reg, int generation) { }
            BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
            LoopRegistration reg = d.watch(false, executor, (r, g) -> calls.add(new Call(r, g)));

            int g1 = (int) kernel.bumpUnlessClosed(0);
            assertThat(calls.poll(10, TimeUnit.SECONDS).generation()).isEqualTo(g1);
            assertThat(reg.acknowledge(g1)).isEqualTo(AckResult.ACKNOWLEDGED);

            holdWriteOf.set(g1); // the same acknowledgement again, on another thread, held after its write
            CompletableFuture<AckResult> repeated = CompletableFuture.supplyAsync(() -> reg.acknowledge(g1));
            assertThat(writeDone.await(10, TimeUnit.SECONDS)).isTrue();

            int g2 = (int) kernel.bumpUnlessClosed(0);
            Call second = calls.poll(10, TimeUnit.SECONDS);
            assertThat(second.generation()).isEqualTo(g2);
            int g3 = (int) kernel.bumpUnlessClosed(0); // an event during the call: missed, looked at after it
            loopHasCaughtUp(d, executor);

            CountDownLatch releaseLoop = new CountDownLatch(1);
            CountDownLatch loopHeld = new CountDownLatch(1);
            assertThat(d.loop().submit(() -> {
                loopHeld.countDown();
                await(releaseLoop);
            })).isTrue();
            assertThat(loopHeld.await(10, TimeUnit.SECONDS)).isTrue();
            // the listener acknowledges the newest generation, read itself: up to date now
            assertThat(reg.acknowledge(d.currentGeneration())).isEqualTo(AckResult.ACKNOWLEDGED);
            releaseWrite.countDown(); // the repeated acknowledgement of g1 records itself now
            assertThat(repeated.get(10, TimeUnit.SECONDS)).isEqualTo(AckResult.ACKNOWLEDGED);
            releaseLoop.countDown();

            loopHasCaughtUp(d, executor);
            assertThat(reg.isOutdated()).isFalse();
            assertThat(calls).as("g%d was acknowledged already: no call for it", g3).isEmpty();
            reg.close();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("not released in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
