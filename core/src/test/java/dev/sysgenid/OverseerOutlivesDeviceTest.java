package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.sysgenid.internal.DeviceFile;
import dev.sysgenid.internal.SimulatedKernel;

/**
 * An overseer outlives its device: what it answers for its up-to-date file once the device is
 * closed (the generation it saw last), also when two threads trigger on it at once, and an
 * overseer asked for while the device closes.
 */
class OverseerOutlivesDeviceTest {

    /**
     * Two threads trigger on one (thread-safe) overseer. The first one's acknowledgement of 1 is
     * written, then that thread is slow; the second triggers to 2 and acknowledges it. The file
     * acknowledged 2 last: after the device's close, catchUp() answers 2, not 1.
     */
    @Test
    void concurrentTriggersRememberTheLastAcknowledgement() throws Exception {
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        AtomicReference<Thread> slow = new AtomicReference<>();
        WrappedKernelDevice device = new WrappedKernelDevice(new SimulatedKernel(0, DriverProfile.OURS), "wk",
                f -> new ForwardingFile(f) {
                    @Override
                    public int write(int generation, int byteCount) {
                        int r = super.write(generation, byteCount);
                        if (Thread.currentThread() == slow.get()) {
                            written.countDown();
                            try {
                                resume.await(10, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        return r;
                    }
                });
        Overseer o = device.overseer();
        CompletableFuture<Integer> first = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                first.complete(o.trigger());
            } catch (Throwable e) {
                first.completeExceptionally(e);
            }
        });
        slow.set(t);
        t.start();
        assertThat(written.await(10, TimeUnit.SECONDS)).isTrue();
        // The second trigger either completes while the first is held after its write, or waits
        // for the first's catch-up to end (then it is BLOCKED): in both cases the first goes on.
        CompletableFuture<Integer> second = new CompletableFuture<>();
        Thread t2 = new Thread(() -> {
            try {
                second.complete(o.trigger());
            } catch (Throwable e) {
                second.completeExceptionally(e);
            }
        });
        t2.start();
        while (!second.isDone() && t2.getState() != Thread.State.BLOCKED) {
            Thread.onSpinWait();
        }
        resume.countDown();
        first.get(10, TimeUnit.SECONDS);
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(o.catchUp()).as("catchUp while the device is open").isEqualTo(2);
        device.close();
        assertThat(o.catchUp()).as("catchUp once the device is closed (file up to date at 2)").isEqualTo(2);
        o.close();
    }

    /**
     * The device closes while overseer() runs (after its file opened): overseer() refuses with
     * the closed device's typed error, as it does after the close, rather than hand out an
     * overseer that does not know its generation; its file is closed.
     */
    @Test
    void anOverseerAskedForAsTheDeviceClosesIsRefused() {
        AtomicReference<BackedDevice> self = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean fileClosed = new java.util.concurrent.atomic.AtomicBoolean();
        WrappedKernelDevice device = new WrappedKernelDevice(new SimulatedKernel(5, DriverProfile.OURS), "wk",
                f -> {
                    self.get().close(); // another thread's close, landing right after the open
                    return new ForwardingFile(f) {
                        @Override
                        public void close() {
                            fileClosed.set(true);
                            super.close();
                        }
                    };
                });
        self.set(device);
        org.assertj.core.api.Assertions.assertThatThrownBy(device::overseer).isInstanceOf(DeviceClosedException.class);
        assertThat(fileClosed).as("the overseer's file is closed").isTrue();
    }
}
