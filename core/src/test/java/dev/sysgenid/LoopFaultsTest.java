/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

import org.junit.jupiter.api.Test;

import dev.sysgenid.internal.LibC;
import dev.sysgenid.internal.turn.TurnExecutor;
import dev.sysgenid.testing.OpenFds;

/**
 * The loop under faults: registrations ended early or twice, listeners and executors that throw
 * on the loop thread, a failing epoll_wait, a watcher registered twice, a loop whose thread
 * cannot start, an abandoned watcher. After each, the other registrations are still served and
 * no fd is left open.
 */
class LoopFaultsTest extends LoopFixture {

    /** A registration on the pool that acknowledges every change and counts the calls. */
    private final class Bystander {
        final Watcher watcher = device.openWatcher();
        final java.util.concurrent.BlockingQueue<Integer> seen = new java.util.concurrent.LinkedBlockingQueue<>();
        final LoopRegistration reg;

        Bystander() {
            watcher.setTracking(true);
            reg = device.loop().register(watcher, executor, (r, g) -> {
                r.acknowledge(g);
                seen.add(g);
            });
        }

        /** Bumps and waits until this bystander has seen and acknowledged that generation. */
        void stillServed() throws InterruptedException {
            int g = device.bump();
            Integer got;
            do {
                got = seen.poll(10, TimeUnit.SECONDS);
                assertThat(got).as("a bystander's listener call after the fault").isNotNull();
            } while (got != g);
        }
    }

    /** Holds the loop thread inside a TurnExecutor's executeLater until {@link #release()}. */
    private final class LoopHold {
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch go = new CountDownLatch(1);

        LoopHold() throws InterruptedException {
            TurnExecutor blocking = new TurnExecutor() {
                @Override
                public boolean executeLater(Runnable task) {
                    held.countDown();
                    try {
                        go.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return false;
                }

                @Override
                public void flush() {
                }

                @Override
                public void execute(Runnable task) {
                    executor.execute(task);
                }
            };
            Watcher w = device.openWatcher();
            device.bump();
            device.loop().register(w, blocking, (r, g) -> r.acknowledge(g));
            assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        }

        void release() {
            go.countDown();
        }
    }

    private void loopHasCaughtUp() throws InterruptedException {
        loopHasCaughtUp(device, executor);
    }

    private static boolean isOpen(int fd) {
        return Files.exists(Path.of("/proc/self/fd/" + fd), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    // ---- item 2: the loop's hold on a watcher is released exactly once ---------------------

    @Test
    void aRegistrationClosedBeforeTheLoopAddedItReleasesItsWatcherOnce() throws Exception {
        LoopHold hold = new LoopHold();
        Watcher w = device.openWatcher();
        int fd = w.file().pollFd();
        w.acquire(); // a call in progress on the watcher, as a blocking read() holds one
        try {
            LoopRegistration reg = device.loop().register(w, executor, (r, g) -> r.acknowledge(g));
            reg.close(); // before the loop ran its add: the add and the remove are both queued
            hold.release();
            loopHasCaughtUp();
            assertThat(isOpen(fd)).as("the fd of a watcher with a call in progress is still open").isTrue();
            try (Watcher next = device.openWatcher()) {
                assertThat(next.file().pollFd()).as("a new watcher does not get the number of one still in use").isNotEqualTo(fd);
            }
        } finally {
            w.release();
        }
        assertThat(w.isClosed()).isTrue();
        assertThat(isOpen(fd)).as("the watcher's fd went with the last call").isFalse();
    }

    // ---- item 3: a throwing listener, executor or epoll_wait ends only what it must --------

    private CompletableFuture<SysgenidException> registerFaulty(Executor on, GenerationListener listener) {
        CompletableFuture<SysgenidException> ended = new CompletableFuture<>();
        device.watch(true, on, new GenerationListener() {
            @Override
            public void onGeneration(LoopRegistration registration, int generation) {
                listener.onGeneration(registration, generation);
            }

            @Override
            public void onTerminated(SysgenidException cause) {
                ended.complete(cause);
            }
        });
        return ended;
    }

    private void throwingEndsOnlyThatRegistration(Supplier<Throwable> fault, Executor on) throws Exception {
        Bystander bystander = new Bystander();
        int tracked = device.kernelCounts().trackedWatchers();
        CompletableFuture<SysgenidException> ended = registerFaulty(on, (r, g) -> sneakyThrow(fault.get()));
        device.bump();
        SysgenidException cause = ended.get(10, TimeUnit.SECONDS);
        assertThat(cause.getCause()).as("the end carries what was thrown").isNotNull();
        assertThat(cause).hasMessageNotContaining("dmesg");
        assertThat(device.loop().isAlive()).isTrue();
        bystander.stillServed();
        assertThat(waitFor(() -> device.kernelCounts().trackedWatchers() == tracked)).as("the faulty watcher is closed").isTrue();
        try (Overseer o = device.overseer()) {
            o.trigger();
            assertThat(o.awaitWatchers(Duration.ofSeconds(10)).allAcknowledged()).isTrue();
        }
    }

    @Test
    void aListenerThatThrowsOnADirectExecutorEndsOnlyItsRegistration() throws Exception {
        throwingEndsOnlyThatRegistration(() -> new IllegalStateException("listener bug"), Runnable::run);
    }

    @Test
    void aListenerThatThrowsAnErrorOnADirectExecutorEndsOnlyItsRegistration() throws Exception {
        throwingEndsOnlyThatRegistration(() -> new StackOverflowError("deep"), Runnable::run);
        throwingEndsOnlyThatRegistration(() -> new NoClassDefFoundError("gone"), Runnable::run);
    }

    /**
     * On a pool's thread a listener's throw reaches no one of ours but the registration: it ends
     * that registration as on the loop thread (told once, the watcher closed and untracked), or
     * the registration would wait for an acknowledgement for ever and hold up every overseer.
     */
    @Test
    void aListenerThatThrowsOnAPoolThreadEndsOnlyItsRegistration() throws Exception {
        throwingEndsOnlyThatRegistration(() -> new IllegalStateException("listener bug"), executor);
    }

    @Test
    void aListenerThatThrowsAnErrorOnAPoolThreadEndsOnlyItsRegistration() throws Exception {
        throwingEndsOnlyThatRegistration(() -> new StackOverflowError("deep"), executor);
    }

    @Test
    void anExecutorThatThrowsSomethingElseThanARejectionEndsOnlyItsRegistration() throws Exception {
        throwingEndsOnlyThatRegistration(() -> new AssertionError("never reached"), task -> {
            throw new IllegalArgumentException("executor bug");
        });
    }

    @Test
    void aTurnExecutorThatThrowsEndsOnlyItsRegistrations() throws Exception {
        Bystander bystander = new Bystander();
        TurnExecutor laterThrows = new TurnExecutor() {
            @Override
            public boolean executeLater(Runnable task) {
                throw new IllegalStateException("executeLater bug");
            }

            @Override
            public void flush() {
            }

            @Override
            public void execute(Runnable task) {
                executor.execute(task);
            }
        };
        TurnExecutor flushThrows = new TurnExecutor() {
            @Override
            public boolean executeLater(Runnable task) {
                return true;
            }

            @Override
            public void flush() {
                throw new LinkageError("flush bug");
            }

            @Override
            public void execute(Runnable task) {
                executor.execute(task);
            }
        };
        CompletableFuture<SysgenidException> first = registerFaulty(laterThrows, (r, g) -> r.acknowledge(g));
        CompletableFuture<SysgenidException> second = registerFaulty(flushThrows, (r, g) -> r.acknowledge(g));
        device.bump();
        assertThat(first.get(10, TimeUnit.SECONDS).getCause()).isInstanceOf(IllegalStateException.class);
        assertThat(second.get(10, TimeUnit.SECONDS).getCause()).isInstanceOf(LinkageError.class);
        bystander.stillServed();
    }

    @Test
    void aLoopWhoseEpollWaitFailsEndsWithTheCauseAndTheDeviceStartsANewOne() throws Exception {
        EpollLoop first = device.loop();
        CompletableFuture<SysgenidException> ended = registerFaulty(executor, (r, g) -> r.acknowledge(g));
        loopHasCaughtUp(); // the registration is in the epoll set
        // Replace the loop's epoll fd by an eventfd (dup2 is atomic): its next epoll_wait fails with EINVAL.
        Field epfd = EpollLoop.class.getDeclaredField("epfd");
        epfd.setAccessible(true);
        int ep = epfd.getInt(first);
        int other = LibC.eventfd(0, LibC.EFD_CLOEXEC);
        try {
            int r = NativeLibrary.getInstance("c").getFunction("dup2").invokeInt(new Object[] {other, ep});
            assertThat(r).isEqualTo(ep);
        } finally {
            dev.sysgenid.internal.LibC.close(other);
        }
        device.bump(); // wakes the wait in progress (on the old epoll instance)
        SysgenidException cause = ended.get(10, TimeUnit.SECONDS);
        assertThat(cause).isInstanceOf(DeviceIoException.class).hasMessageContaining("epoll_wait");
        assertThat(cause.errno()).as("the errno behind it, not 0").isEqualTo(dev.sysgenid.internal.Errno.EINVAL);
        assertThat(waitFor(() -> !first.isAlive())).isTrue();
        EpollLoop second = device.loop();
        assertThat(second).as("a failed loop is replaced").isNotSameAs(first);
        new Bystander().stillServed();
    }

    // ---- interrupted threads ------------------------------------------------------------------

    private static CompletableFuture<Throwable> interruptedWhile(Interruptible call) throws InterruptedException {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            started.countDown();
            try {
                call.run();
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        t.start();
        started.await();
        t.interrupt();
        return outcome;
    }

    interface Interruptible {
        void run() throws Exception;
    }

    @Test
    void threadsInterruptedInsideTheLibraryLeaveTheDeviceServingAndNoFdOpen() throws Exception {
        Bystander bystander = new Bystander();
        try (Watcher w = device.openWatcher()) {
            assertThat(interruptedWhile(() -> w.read(Duration.ofSeconds(30))).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(InterruptedException.class);
        }
        try (Watcher tracked = device.openWatcher(); Overseer o = device.overseer()) {
            tracked.setTracking(true);
            o.trigger(); // the tracked watcher never acknowledges: the wait would last 30 s
            assertThat(interruptedWhile(() -> o.awaitWatchers(Duration.ofSeconds(30))).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(InterruptedException.class);
        }
        SimulatedDevice other = SimulatedDevice.create();
        EpollLoop otherLoop = other.loop();
        Thread.currentThread().interrupt();
        try {
            LoopRegistration reg = device.loop().register(device.openWatcher(), executor, (r, g) -> r.acknowledge(g));
            reg.close();
            otherLoop.register(other.openWatcher(), executor, (r, g) -> r.acknowledge(g));
            other.close(); // joins the other loop's thread
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt status is kept").isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(otherLoop.isAlive()).as("close() returned after the loop's thread ended").isFalse();
        bystander.stillServed();
    }

    // ---- item 9 -----------------------------------------------------------------------------

    @Test
    void registeringAWatcherTwiceIsRefusedAndTheFirstRegistrationGoesOn() throws Exception {
        Bystander first = new Bystander();
        assertThatThrownBy(() -> device.loop().register(first.watcher, executor, (r, g) -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("registered already");
        first.stillServed();
        try (Watcher other = device.openWatcher()) {
            assertThatThrownBy(() -> device.loop().register(other, null, (r, g) -> { }))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("executor");
        }
    }

    @Test
    void aLoopWhoseThreadCannotStartLeavesNoFdOpen() {
        int before = OpenFds.count();
        assertThatThrownBy(() -> new EpollLoop("doomed", r -> {
            throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource limits reached");
        })).isInstanceOf(OutOfMemoryError.class);
        assertThat(OpenFds.count()).isEqualTo(before);
    }

    @Test
    void anAbandonedTrackedWatcherIsClosedWithAWarningThatNamesWhereItWasTracked() throws Exception {
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("dev.sysgenid");
        logger.addHandler(capture);
        try {
            openAndAbandonATrackedWatcher();
            try (Overseer o = device.overseer()) {
                o.trigger();
                for (int i = 0; i < 500 && device.kernelCounts().trackedWatchers() > 0; i++) {
                    System.gc();
                    Thread.sleep(10);
                }
                assertThat(device.kernelCounts().trackedWatchers()).as("the abandoned watcher was closed").isZero();
                assertThat(o.awaitWatchers(Duration.ofSeconds(10)).allAcknowledged()).isTrue();
            }
            assertThat(waitFor(() -> !warnings.isEmpty())).isTrue();
            assertThat(warnings.get(0).getMessage())
                    .contains("without close()")
                    .contains("LoopFaultsTest.openAndAbandonATrackedWatcher");
        } finally {
            logger.removeHandler(capture);
        }
    }

    private void openAndAbandonATrackedWatcher() {
        device.openWatcher().setTracking(true);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    /**
     * GenerationListener.onTerminated is "called at most once", also when it throws on a direct
     * executor: what it throws comes out of execute as a refusal would, and must not make the
     * loop tell the listener a second time.
     */
    @Test
    void aThrowingOnTerminatedOnADirectExecutorIsCalledOnlyOnce() throws Exception {
        AtomicInteger terminated = new AtomicInteger();
        Watcher w = device.openWatcher();
        device.loop().register(w, Runnable::run, new GenerationListener() {
            @Override
            public void onGeneration(LoopRegistration registration, int generation) {
                throw new IllegalStateException("the listener fails");
            }

            @Override
            public void onTerminated(SysgenidException cause) {
                terminated.incrementAndGet();
                throw new IllegalStateException("and so does its onTerminated");
            }
        });
        device.bump();
        assertThat(waitFor(() -> terminated.get() > 0)).as("the registration ended").isTrue();
        loopHasCaughtUp(device, executor);
        assertThat(terminated.get()).as("onTerminated calls").isEqualTo(1);
    }

    /**
     * A loop that fails shuts down once: were its eventfd and epoll fd closed twice, between
     * the two closes the numbers would be free and another thread may get them for a file of its own (a listener told of the
     * end re-registers at once, say, and the device's new loop takes the lowest free numbers):
     * the second close then closes that file. A thread here takes the eventfd's number back the
     * moment it is free, as the next open(2) of any thread would; that file must stay open. The
     * window is a few microseconds, so the scenario runs a number of times: with a second
     * close, a round lost the file now and then (one in tens, on a 2-core machine); with one
     * close, none can.
     */
    @Test
    void aLoopThatFailsClosesItsFdsOnceAndNeverAFileThatReusedTheirNumbers() throws Exception {
        for (int round = 0; round < 150; round++) {
            assertThat(failALoopAndReuseItsEventfdNumber()).as("round " + round
                    + ": the file that took the failed loop's eventfd number is still open").isTrue();
        }
    }

    /** One round: whether the file that took the eventfd's number once it was free is still open. */
    private boolean failALoopAndReuseItsEventfdNumber() throws Exception {
        EpollLoop loop = new EpollLoop("failing");
        Field epfdField = EpollLoop.class.getDeclaredField("epfd");
        epfdField.setAccessible(true);
        int ep = epfdField.getInt(loop);
        int wake = loop.wakeFdForTest();
        Function dup2 = NativeLibrary.getInstance("c").getFunction("dup2");
        BlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
        Watcher w = device.openWatcher();
        device.bump();
        loop.register(w, executor, (r, g) -> seen.add(g)); // outdated: called once its ADD is done
        assertThat(seen.poll(10, TimeUnit.SECONDS)).as("the loop added the watcher").isNotNull();
        int placeholder = LibC.eventfd(0, LibC.EFD_CLOEXEC);
        AtomicBoolean reclaimed = new AtomicBoolean();
        Thread reuser = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                int fd = LibC.fcntl(placeholder, 0 /* F_DUPFD: the lowest free number from wake on */, wake);
                if (fd == wake) {
                    reclaimed.set(true);
                    return;
                }
                if (fd >= 0) {
                    LibC.close(fd); // not free yet: a higher number, ours to close
                }
            }
        });
        reuser.start();
        int other = LibC.eventfd(0, LibC.EFD_CLOEXEC);
        try {
            assertThat(dup2.invokeInt(new Object[] {other, ep})).isEqualTo(ep); // its next epoll_wait fails
        } finally {
            LibC.close(other);
        }
        try {
            // wakes the wait in progress (on the old epoll instance, through the loop's eventfd)
            loop.register(device.openWatcher(), executor, (r, g) -> r.acknowledge(g));
        } catch (WatcherClosedException failedAlready) {
            // the loop was not in epoll_wait yet: its next one failed at once
        }
        reuser.join(15_000);
        assertThat(waitFor(() -> !loop.isAlive())).as("the loop failed and ended").isTrue();
        boolean stillOpen = LibC.fcntl(wake, 1, 0) >= 0;
        if (stillOpen && reclaimed.get()) {
            LibC.close(wake);
        }
        LibC.close(placeholder);
        assertThat(reclaimed.get()).as("the eventfd's number was taken back while free").isTrue();
        return stillOpen;
    }


    @Test
    void aListenerThrowingACheckedExceptionOnTheLoopEndsOnlyItsRegistration() throws Exception {
        try (SimulatedDevice dev = SimulatedDevice.create()) {
            EpollLoop loop = dev.loop();
            BlockingQueue<Integer> bystanderSeen = new LinkedBlockingQueue<>();
            BlockingQueue<Throwable> terminated = new LinkedBlockingQueue<>();
            LoopRegistration bystander = loop.register(dev.openWatcher(), Runnable::run, (r, g) -> {
                bystanderSeen.add(g);
                r.acknowledge(g);
            });
            loop.register(dev.openWatcher(), Runnable::run, new GenerationListener() {
                @Override
                public void onGeneration(LoopRegistration registration, int generation) {
                    sneakyThrow(new IOException("re-keying failed"));
                }

                @Override
                public void onTerminated(SysgenidException cause) {
                    terminated.add(cause);
                }
            });
            int g1 = dev.bump();
            assertThat(bystanderSeen.poll(5, TimeUnit.SECONDS)).isEqualTo(g1);
            assertThat(terminated.poll(5, TimeUnit.SECONDS)).as("the throwing registration was told it ended").isNotNull();
            int g2 = dev.bump();
            assertThat(bystanderSeen.poll(5, TimeUnit.SECONDS)).as("the loop serves the others (alive: " + loop.isAlive() + ")")
                    .isEqualTo(g2);
            bystander.close();
        }
    }

    /**
     * At close, the shutdown tells each registration on its executor; a direct executor runs
     * onTerminated inline, and a checked exception from it (thrown sneakily, as a Kotlin or
     * Scala listener may) must not stop the shutdown: the registrations after it are ended
     * all the same (told, their watchers closed).
     */
    @Test
    void anOnTerminatedThrowingACheckedExceptionDoesNotStopTheShutdown() throws Exception {
        try (SimulatedDevice dev = SimulatedDevice.create()) {
            EpollLoop loop = dev.loop();
            Watcher first = dev.openWatcher();
            Watcher second = dev.openWatcher(); // a higher fd: ended after the first
            loop.register(first, Runnable::run,
                    acknowledging(cause -> sneakyThrow(new IOException("cleanup failed"))));
            BlockingQueue<SysgenidException> secondEnded = new LinkedBlockingQueue<>();
            loop.register(second, Runnable::run, acknowledging(secondEnded::add));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (loop.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            loop.close();
            assertThat(secondEnded.poll(5, TimeUnit.SECONDS)).as("the second registration was told the loop closed")
                    .isNotNull();
            assertThat(second.isClosed()).as("the second watcher was closed").isTrue();
        }
    }
}
