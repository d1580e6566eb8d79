package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** Adversarial review of s9j: Watcher.close() racing EpollLoop.register(). */
/**
 * Closing a watcher that a loop serves ends its registration, as closing the registration does:
 * tracking off before close() returns, also where the close races another call on it.
 */
class RegisteredWatcherCloseTest {

    /**
     * LoopRegistration.setTracking(true) racing Watcher.close(): the close lands while the ioctl
     * that turns tracking on runs (here: from inside it), with the loop busy. The close sees the
     * watcher not yet tracked; setTracking then sees the registration closed and turns tracking
     * off again, although the watcher is closed by then (the registration's hold keeps its file
     * open): once both have returned, the fd counts for no overseer.
     */
    @Test
    void setTrackingRacingAWatcherCloseLeavesNothingTracked() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Runnable> inTrackingOn = new java.util.concurrent.atomic.AtomicReference<>();
        dev.sysgenid.internal.SimulatedKernel kernel = new dev.sysgenid.internal.SimulatedKernel(0, DriverProfile.OURS);
        WrappedKernelDevice d = new WrappedKernelDevice(kernel, "wk", f -> new ForwardingFile(f) {
            @Override
            public int ioctl(long request, long arg) {
                int r = super.ioctl(request, arg);
                Runnable hook = inTrackingOn.get();
                if (request == dev.sysgenid.internal.LibC.SYSGENID_SET_WATCHER_TRACKING && arg == 1 && hook != null) {
                    inTrackingOn.set(null);
                    hook.run();
                }
                return r;
            }
        });
        CountDownLatch inListener = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            d.watch(false, Runnable::run, (r, g) -> { // holds the loop up: a busy loop
                inListener.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                r.acknowledge(g);
            });
            kernel.bumpUnlessClosed(0);
            assertThat(inListener.await(10, TimeUnit.SECONDS)).isTrue();
            Watcher w = d.openWatcher();
            LoopRegistration reg = d.loop().register(w, Runnable::run, (r, g) -> { });
            inTrackingOn.set(w::close); // another thread's close, landing during the ioctl
            Throwable thrown = null;
            try {
                reg.setTracking(true);
            } catch (WatcherClosedException e) {
                thrown = e;
            }
            assertThat(thrown).as("setTracking saw the close").isNotNull();
            assertThat(w.isClosed()).isTrue();
            assertThat(kernel.trackedWatchers()).as("tracked watchers once Watcher.close() and setTracking returned").isZero();
        } finally {
            release.countDown();
            d.close();
        }
    }
}
