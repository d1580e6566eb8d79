/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.sysgenid.internal.Errno;
import dev.sysgenid.internal.LibC;
import dev.sysgenid.internal.SimulatedKernel;

/**
 * {@link GenerationDevice#watch}: open, track, register in one call, all or nothing. Running out
 * of file descriptors at each of its steps is {@link FdExhaustionTest}'s; here, tracking refused
 * and a loop that has ended, on a device whose files count their closes.
 */
class DeviceWatchTest extends LoopFixture {

    @Test
    void aWatchIsTrackedServedAndEndedByItsRegistration() throws Exception {
        BlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
        LoopRegistration reg = device.watch(true, executor, (r, g) -> seen.add(g));
        assertThat(device.kernelCounts().trackedWatchers()).isEqualTo(1);
        int g = device.bump();
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo(g);
        try (Overseer o = device.overseer()) {
            assertThat(o.awaitWatchers(Duration.ofMillis(50)).outcome()).as("tracked: not acknowledged yet")
                    .isEqualTo(WaitResult.Outcome.TIMED_OUT);
            assertThat(reg.acknowledge(g)).isEqualTo(AckResult.ACKNOWLEDGED);
            assertThat(o.awaitWatchers(Duration.ofSeconds(10)).allAcknowledged()).isTrue();
        }
        reg.close();
        assertThat(device.kernelCounts().trackedWatchers()).isZero();
    }

    @Test
    void anUntrackedWatchIsNotCounted() {
        LoopRegistration reg = device.watch(false, executor, (r, g) -> r.acknowledge(g));
        assertThat(device.kernelCounts().trackedWatchers()).isZero();
        reg.close();
    }

    @Test
    void whenTrackingIsRefusedTheWatcherIsClosedAndTheErrorSaysWhy() {
        try (FaultyDevice faulty = new FaultyDevice()) {
            faulty.refuseTracking.set(true);
            AtomicInteger calls = new AtomicInteger();
            assertThatThrownBy(() -> faulty.watch(true, executor, (r, g) -> calls.incrementAndGet()))
                    .isInstanceOf(DeviceIoException.class).hasMessageContaining("SET_WATCHER_TRACKING")
                    .hasMessageContaining("ENOMEM");
            assertThat(faulty.opened.get()).isEqualTo(1);
            assertThat(faulty.closed.get()).as("the watcher it opened is closed").isEqualTo(1);
            faulty.kernel.bumpUnlessClosed(0);
            assertThat(calls).hasValue(0);
        }
    }

    @Test
    void whenTheLoopHasEndedTheWatcherIsClosed() {
        try (FaultyDevice faulty = new FaultyDevice()) {
            faulty.endedLoop = new EpollLoop("ended");
            faulty.endedLoop.close();
            assertThatThrownBy(() -> faulty.watch(true, executor, (r, g) -> { }))
                    .isInstanceOf(WatcherClosedException.class);
            assertThat(faulty.opened.get()).isEqualTo(1);
            assertThat(faulty.closed.get()).as("the watcher it opened is closed").isEqualTo(1);
            assertThat(faulty.kernel.trackedWatchers()).as("and no longer tracked").isZero();
        }
    }

    @Test
    void onAClosedDeviceNothingIsOpened() {
        FaultyDevice faulty = new FaultyDevice();
        faulty.close();
        assertThatThrownBy(() -> faulty.watch(false, executor, (r, g) -> { })).isInstanceOf(WatcherClosedException.class);
        assertThat(faulty.opened.get()).isZero();
    }

    @Test
    void nullsAreRefusedBeforeAnythingIsOpened() {
        try (FaultyDevice faulty = new FaultyDevice()) {
            assertThatThrownBy(() -> faulty.watch(false, null, (r, g) -> { })).isInstanceOf(NullPointerException.class)
                    .hasMessage("executor");
            assertThatThrownBy(() -> faulty.watch(false, executor, null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("listener");
            assertThat(faulty.opened.get()).isZero();
        }
    }

    /**
     * A simulated device whose files count their opens and closes, can refuse tracking (as a
     * driver out of memory would), and whose loop can be one that has ended.
     */
    private static final class FaultyDevice extends WrappedKernelDevice {
        final AtomicInteger opened;
        final AtomicInteger closed;
        final AtomicBoolean refuseTracking;
        volatile EpollLoop endedLoop;

        FaultyDevice() {
            this(new AtomicInteger(), new AtomicInteger(), new AtomicBoolean());
        }

        private FaultyDevice(AtomicInteger opened, AtomicInteger closed, AtomicBoolean refuseTracking) {
            super(new SimulatedKernel(0, DriverProfile.OURS), "faulty", file -> {
                opened.incrementAndGet();
                return new ForwardingFile(file) {
                    @Override
                    public int ioctl(long request, long arg) {
                        if (request == LibC.SYSGENID_SET_WATCHER_TRACKING && refuseTracking.get()) {
                            return -Errno.ENOMEM;
                        }
                        return super.ioctl(request, arg);
                    }

                    @Override
                    public void close() {
                        closed.incrementAndGet();
                        super.close();
                    }
                };
            });
            this.opened = opened;
            this.closed = closed;
            this.refuseTracking = refuseTracking;
        }

        @Override
        public synchronized EpollLoop loop() {
            EpollLoop l = endedLoop;
            return l != null ? l : super.loop();
        }
    }
}
