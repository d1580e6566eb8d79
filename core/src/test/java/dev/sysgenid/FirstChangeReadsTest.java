/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.sysgenid.internal.SimulatedKernel;

/**
 * A watcher knows the generation it was opened at (the device's page, read right after the
 * open), so the loop takes even its first change from the page, with no read(2); and where the
 * counter moved between the open and that look, the loop still reports the change (it asks
 * read(2) then). Counted on a simulated device whose files count their reads.
 */
class FirstChangeReadsTest extends LoopFixture {

    @Test
    void theFirstChangeOfAWatchNeedsNoRead() throws Exception {
        try (CountingDevice counting = new CountingDevice(null)) {
            BlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
            LoopRegistration reg = counting.watch(false, executor, (r, g) -> {
                seen.add(g);
                r.acknowledge(g);
            });
            int g = (int) counting.kernel.bumpUnlessClosed(0);
            assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo(g);
            assertThat(counting.reads).as("read(2) calls for the first change").hasValue(0);
            reg.close();
        }
    }

    @Test
    void aWatcherOutdatedBeforeItsRegistrationIsReportedWithNoRead() throws Exception {
        try (CountingDevice counting = new CountingDevice(null)) {
            EpollLoop loop = counting.loop(); // maps the page before the open, as watch() does
            Watcher w = counting.openWatcher();
            int g = (int) counting.kernel.bumpUnlessClosed(0); // outdated now, before the loop adds it
            BlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
            LoopRegistration reg = loop.register(w, executor, (r, x) -> seen.add(x));
            assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo(g);
            assertThat(counting.reads).hasValue(0);
            reg.close();
        }
    }

    @Test
    void aChangeBetweenTheOpenAndTheLookAtThePageIsStillReported() throws Exception {
        AtomicInteger bumpAfterOpen = new AtomicInteger();
        try (CountingDevice counting = new CountingDevice(bumpAfterOpen)) {
            counting.loop(); // the page is mapped: the watcher looks at it right after its open
            bumpAfterOpen.set(1);
            BlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
            LoopRegistration reg = counting.watch(false, executor, (r, g) -> seen.add(g));
            int g = counting.kernel.generation();
            assertThat(bumpAfterOpen).as("the file was bumped after its open").hasValue(0);
            assertThat(seen.poll(10, TimeUnit.SECONDS)).as("the change right after the open").isEqualTo(g);
            assertThat(counting.reads).as("the page could not tell: read(2) did, once").hasValue(1);
            reg.close();
        }
    }

    /**
     * A simulated device whose files count their reads; with {@code bumpAfterOpen} at 1, the
     * next open bumps the counter right after the file is opened (before the watcher looks at
     * the page) and sets it back to 0.
     */
    private static final class CountingDevice extends WrappedKernelDevice {
        final AtomicInteger reads;

        CountingDevice(AtomicInteger bumpAfterOpen) {
            this(new SimulatedKernel(0, DriverProfile.OURS), new AtomicInteger(), bumpAfterOpen);
        }

        private CountingDevice(SimulatedKernel kernel, AtomicInteger reads, AtomicInteger bumpAfterOpen) {
            super(kernel, "counting", file -> {
                if (bumpAfterOpen != null && bumpAfterOpen.compareAndSet(1, 0)) {
                    kernel.bumpUnlessClosed(0);
                }
                return new ForwardingFile(file) {
                    @Override
                    public long read(int bufferSize) {
                        reads.incrementAndGet();
                        return super.read(bufferSize);
                    }
                };
            });
            this.reads = reads;
        }
    }
}
