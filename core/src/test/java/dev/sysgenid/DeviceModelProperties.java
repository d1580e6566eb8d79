/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

import dev.sysgenid.internal.DeviceFile;
import dev.sysgenid.internal.Errno;
import dev.sysgenid.internal.LibC;
import dev.sysgenid.internal.Poll;

/**
 * Model-based random tests of a device against {@link AbiModel}: jqwik generates chains of
 * operations on up to {@value #SLOTS} open files (open, close, track, untrack, non-blocking
 * read with every buffer size, acknowledge the current, a stale, a future value with 2, 4 or 8
 * bytes, trigger with a minimum below, at, above the counter and across the wrap, wait with no
 * or a short timeout, poll, map and mprotect, and operations of several threads whose outcome
 * does not depend on their interleaving), and after every step compares the device with the
 * model: each answer, the counts, the mapped page, every file's poll bits and its epoll edges.
 * A failure is shrunk to a shortest chain and reported with its seed.
 *
 * <p>The same generator runs on the simulated device in {@code mvn verify} and on the kernel
 * module in the QEMU guest, so the two cannot drift apart. Budget and seed: the system
 * properties {@code sysgenid.model.tries}, {@code sysgenid.model.steps} and {@code
 * sysgenid.model.seed} (see {@code docs/stress-testing.md}).
 */
public abstract class DeviceModelProperties {

    static final int SLOTS = 4;
    /** How long a thread of a multi-thread step may take before the step fails. */
    private static final long THREAD_DEADLINE_SECONDS = 10;
    /**
     * The timeout of the calls that block until another thread wakes them (WAIT_WATCHERS, poll):
     * far beyond {@link #THREAD_DEADLINE_SECONDS}, so that a lost wake-up leaves the call blocked
     * past the step's deadline and fails the step, instead of ending in time by its own timeout.
     */
    private static final int WAKE_UP_TIMEOUT_MILLIS = 60_000;

    private ModelRun current;

    /** The device under test, fresh for each chain. */
    protected abstract GenerationDevice openDevice();

    /** Chains per run when {@code sysgenid.model.tries} is not set. */
    protected abstract int defaultTries();

    /** Chain length when {@code sysgenid.model.steps} is not set. */
    protected abstract int defaultSteps();

    @Property
    @AddLifecycleHook(ModelBudget.class)
    void theDeviceAnswersAsTheModelAfterEveryStep(@ForAll("chains") ActionChain<ModelRun> chain) {
        chain.run();
    }

    @AfterTry
    void closeRun() {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    @Provide
    Arbitrary<ActionChain<ModelRun>> chains() {
        int steps = Integer.getInteger("sysgenid.model.steps", defaultSteps());
        return ActionChain.<ModelRun>startWith(this::newRun)
                .withAction(3, when(r -> r.freeSlot() >= 0, DeviceModelProperties::open))
                .withAction(1, when(r -> r.anyOpen(), DeviceModelProperties::close))
                .withAction(2, when(r -> r.anyOpen(), DeviceModelProperties::setTracking))
                .withAction(3, when(r -> r.anyOpen(), DeviceModelProperties::read))
                .withAction(4, when(r -> r.anyOpen(), DeviceModelProperties::acknowledge))
                .withAction(4, when(r -> r.anyOpen(), DeviceModelProperties::trigger))
                .withAction(2, when(r -> r.anyOpen(), DeviceModelProperties::waitShortly))
                .withAction(1, when(r -> r.any(s -> r.model.waitWatchers(s) != -Errno.ETIME),
                        DeviceModelProperties::waitWithoutTimeout))
                .withAction(1, when(r -> true, DeviceModelProperties::map))
                .withAction(1, when(r -> r.any(s -> !r.model.file(s).outdated) && r.model.outdatedTracked() > 0,
                        DeviceModelProperties::waiterReleasedByAcknowledgements))
                .withAction(1, when(r -> r.any(s -> !r.model.file(s).outdated) && r.model.outdatedTracked() > 0,
                        DeviceModelProperties::waiterWokenByATrigger))
                .withAction(1, when(r -> r.any(s -> !r.model.file(s).outdated),
                        DeviceModelProperties::pollerWokenByATrigger))
                .withAction(1, when(r -> r.any(s -> r.model.file(s).outdated),
                        DeviceModelProperties::acknowledgementsFromThreads))
                .withMaxTransformations(steps);
    }

    private ModelRun newRun() {
        closeRun(); // a chain that shrinking cut short leaves its run to the next one
        current = new ModelRun(openDevice());
        return current;
    }

    // ---- the actions --------------------------------------------------------------------------

    private static Arbitrary<Transformer<ModelRun>> open(ModelRun r) {
        int slot = r.freeSlot();
        return Arbitraries.just(step("open -> file " + slot, run -> {
            Watcher w = run.device.openWatcher();
            run.files[slot] = w;
            run.edges.add(w.file());
            run.model.open(slot);
        }));
    }

    private static Arbitrary<Transformer<ModelRun>> close(ModelRun r) {
        return r.openSlots().map(slot -> step("close file " + slot, run -> {
            Watcher w = run.files[slot];
            run.edges.remove(w.file());
            w.close();
            run.files[slot] = null;
            run.model.close(slot);
        }));
    }

    private static Arbitrary<Transformer<ModelRun>> setTracking(ModelRun r) {
        return Combinators.combine(r.openSlots(), Arbitraries.of(true, false)).as((slot, on) ->
                step((on ? "track" : "untrack") + " file " + slot, run -> {
                    assertThat(run.file(slot).ioctl(LibC.SYSGENID_SET_WATCHER_TRACKING, on ? 1 : 0)).isZero();
                    run.model.setTracking(slot, on);
                }));
    }

    private static Arbitrary<Transformer<ModelRun>> read(ModelRun r) {
        return Combinators.combine(r.openSlots(), Arbitraries.of(0, 1, 3, 4, 8)).as((slot, size) ->
                step("read " + size + " bytes of file " + slot, run ->
                        assertThat(run.file(slot).read(size)).as("read").isEqualTo(run.model.read(slot, size))));
    }

    private static Arbitrary<Transformer<ModelRun>> acknowledge(ModelRun r) {
        int g = r.model.generation();
        Arbitrary<int[]> value = Arbitraries.of(
                new int[] {g, 0}, new int[] {g - 1, 1}, new int[] {g + 1, 2}, new int[] {0, 3});
        Arbitrary<Integer> bytes = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just(4)), net.jqwik.api.Tuple.of(1, Arbitraries.of(2, 8)));
        String[] kinds = {"current", "stale", "future", "zero"};
        return Combinators.combine(r.openSlots(), value, bytes).as((slot, v, n) ->
                step("write " + kinds[v[1]] + " " + Integer.toUnsignedString(v[0]) + " in " + n + " bytes to file " + slot,
                        run -> assertThat(run.file(slot).write(v[0], n)).as("write")
                                .isEqualTo(run.model.write(slot, v[0], n))));
    }

    private static Arbitrary<Transformer<ModelRun>> trigger(ModelRun r) {
        int g = r.model.generation();
        Arbitrary<int[]> min = Arbitraries.of(
                new int[] {0, 0}, new int[] {g - 3, 1}, new int[] {g, 2}, new int[] {g + 1, 3}, new int[] {g + 7, 4},
                new int[] {0xFFFF_FFFF, 5}, new int[] {0x7FFF_FFFF, 6}, new int[] {g + 0x8000_0000, 7},
                new int[] {0xFFFF_FFFE, 8});
        String[] kinds = {"zero", "below", "current", "current+1", "above", "top", "signed top", "half a turn on", "top-1"};
        return Combinators.combine(r.openSlots(), min).as((slot, m) ->
                step("trigger through file " + slot + " with min " + kinds[m[1]] + " " + Integer.toUnsignedString(m[0]),
                        run -> {
                            assertThat(run.file(slot).ioctl(LibC.SYSGENID_TRIGGER_GEN_UPDATE, Integer.toUnsignedLong(m[0])))
                                    .as("TRIGGER").isZero();
                            run.model.trigger(m[0]);
                        }));
    }

    private static Arbitrary<Transformer<ModelRun>> waitShortly(ModelRun r) {
        return Combinators.combine(r.openSlots(), Arbitraries.integers().between(1, 15)).as((slot, ms) ->
                step("wait " + ms + " ms on file " + slot, run ->
                        assertThat(run.file(slot).ioctl(LibC.SYSGENID_WAIT_WATCHERS, ms)).as("WAIT_WATCHERS")
                                .isEqualTo(run.model.waitWatchers(slot))));
    }

    /** Only where the model says it returns at once: otherwise it would block for good. */
    private static Arbitrary<Transformer<ModelRun>> waitWithoutTimeout(ModelRun r) {
        return r.slotsWhere(s -> r.model.waitWatchers(s) != -Errno.ETIME).map(slot ->
                step("wait without timeout on file " + slot, run -> {
                    int expected = run.model.waitWatchers(slot);
                    assertThat(expected).isNotEqualTo(-Errno.ETIME);
                    assertThat(run.onThread(() -> run.file(slot).ioctl(LibC.SYSGENID_WAIT_WATCHERS, 0)))
                            .as("WAIT_WATCHERS(0)").isEqualTo(expected);
                }));
    }

    private static Arbitrary<Transformer<ModelRun>> map(ModelRun r) {
        long page = LibC.pageSize();
        return Combinators.combine(
                Arbitraries.of(page, 100L, 2 * page),
                Arbitraries.of(LibC.PROT_READ, LibC.PROT_READ | LibC.PROT_WRITE, LibC.PROT_READ | LibC.PROT_EXEC),
                Arbitraries.of(LibC.MAP_SHARED, LibC.MAP_PRIVATE),
                Arbitraries.of(0L, page)).as((length, prot, flags, offset) ->
                step("mmap length " + length + (prot == LibC.PROT_READ ? " read-only "
                        : prot == (LibC.PROT_READ | LibC.PROT_EXEC) ? " read-exec " : " read-write ")
                        + (flags == LibC.MAP_SHARED ? "shared" : "private") + " at offset " + offset, run -> {
                            long addr = ((BackedDevice) run.device).mapRaw(length, prot, flags, offset);
                            int expected = AbiModel.map(length, prot, offset, page);
                            if (expected < 0) {
                                assertThat(addr).as("mmap").isEqualTo(expected);
                                return;
                            }
                            assertThat(addr).as("mmap").isPositive();
                            try {
                                assertThat(new com.sun.jna.Pointer(addr).getInt(0)).as("the mapped counter")
                                        .isEqualTo(run.model.generation());
                                assertThat(LibC.mprotect(addr, length, LibC.PROT_READ | LibC.PROT_WRITE))
                                        .as("mprotect to writable").isEqualTo(-1);
                                assertThat(LibC.errno()).as("mprotect's errno").isEqualTo(Errno.EACCES);
                            } finally {
                                LibC.munmap(addr, length);
                            }
                        }));
    }

    /** A thread blocks in WAIT_WATCHERS; this one acknowledges every outdated tracked file: it returns 0. */
    private static Arbitrary<Transformer<ModelRun>> waiterReleasedByAcknowledgements(ModelRun r) {
        return r.slotsWhere(s -> !r.model.file(s).outdated).map(slot ->
                step("a thread waits on file " + slot + " while this one acknowledges every tracked file", run -> {
                    Blocking waiter = run.blockingCall(
                            () -> run.file(slot).ioctl(LibC.SYSGENID_WAIT_WATCHERS, WAKE_UP_TIMEOUT_MILLIS));
                    run.awaitBlockedInTheDevice(waiter);
                    int g = run.model.generation();
                    for (int s = 0; s < SLOTS; s++) {
                        if (run.model.isOpen(s) && run.model.file(s).tracked && run.model.file(s).outdated) {
                            assertThat(run.file(s).write(g, 4)).as("acknowledgement of file " + s).isZero();
                            run.model.write(s, g, 4);
                        }
                    }
                    assertThat(run.join(waiter.result())).as("the waiter's WAIT_WATCHERS").isZero();
                }));
    }

    /** A thread blocks in WAIT_WATCHERS (a tracked file is outdated); a trigger outdates its file: EINTR. */
    private static Arbitrary<Transformer<ModelRun>> waiterWokenByATrigger(ModelRun r) {
        return Combinators.combine(r.slotsWhere(s -> !r.model.file(s).outdated), r.openSlots()).as((slot, via) ->
                step("a thread waits on file " + slot + " while this one triggers through file " + via, run -> {
                    Blocking waiter = run.blockingCall(
                            () -> run.file(slot).ioctl(LibC.SYSGENID_WAIT_WATCHERS, WAKE_UP_TIMEOUT_MILLIS));
                    run.awaitBlockedInTheDevice(waiter);
                    assertThat(run.file(via).ioctl(LibC.SYSGENID_TRIGGER_GEN_UPDATE, 0)).isZero();
                    run.model.trigger(0);
                    assertThat(run.join(waiter.result())).as("the waiter's WAIT_WATCHERS").isEqualTo(-Errno.EINTR);
                }));
    }

    /** A thread blocks in poll(2) on an up-to-date file; a trigger wakes it readable. */
    private static Arbitrary<Transformer<ModelRun>> pollerWokenByATrigger(ModelRun r) {
        return Combinators.combine(r.slotsWhere(s -> !r.model.file(s).outdated), r.openSlots()).as((slot, via) ->
                step("a thread polls file " + slot + " while this one triggers through file " + via, run -> {
                    int fd = run.file(slot).pollFd();
                    Blocking poller = run.blockingCall(() -> {
                        int n;
                        do {
                            n = Poll.pollIn(fd, WAKE_UP_TIMEOUT_MILLIS);
                        } while (n == -Errno.EINTR); // a signal, not the device: poll again
                        return n;
                    });
                    run.awaitSleepingInTheKernel(poller);
                    assertThat(run.file(via).ioctl(LibC.SYSGENID_TRIGGER_GEN_UPDATE, 0)).isZero();
                    run.model.trigger(0);
                    assertThat(run.join(poller.result())).as("poll(2) in the other thread").isEqualTo(1);
                }));
    }

    /** Every outdated file acknowledged at once, each from its own thread: all succeed. */
    private static Arbitrary<Transformer<ModelRun>> acknowledgementsFromThreads(ModelRun r) {
        return Arbitraries.just(step("every outdated file acknowledges from a thread of its own", run -> {
            int g = run.model.generation();
            List<CompletableFuture<Integer>> acks = new ArrayList<>();
            for (int s = 0; s < SLOTS; s++) {
                if (run.model.isOpen(s) && run.model.file(s).outdated) {
                    DeviceFile f = run.file(s);
                    acks.add(run.async(() -> f.write(g, 4)));
                    run.model.write(s, g, 4);
                }
            }
            for (CompletableFuture<Integer> a : acks) {
                assertThat(run.join(a)).as("a concurrent acknowledgement").isZero();
            }
        }));
    }

    // ---- plumbing -----------------------------------------------------------------------------

    /** An action with a precondition whose transformers depend on the state. */
    private static Action.Dependent<ModelRun> when(Predicate<ModelRun> precondition,
            Function<ModelRun, Arbitrary<Transformer<ModelRun>>> transformers) {
        return new Action.Dependent<>() {
            @Override
            public boolean precondition(ModelRun run) {
                return precondition.test(run);
            }

            @Override
            public Arbitrary<Transformer<ModelRun>> transformer(ModelRun run) {
                return transformers.apply(run);
            }
        };
    }

    /** A step: the operation, then the comparison of the whole device with the model. */
    private static Transformer<ModelRun> step(String description, java.util.function.Consumer<ModelRun> operation) {
        return Transformer.mutate(description, run -> {
            operation.accept(run);
            run.compare(description);
        });
    }

    /** A thread of a step in a call that blocks, and what tells whether it is blocked yet. */
    record Blocking(CompletableFuture<Integer> result, Thread thread, AtomicInteger tid) {
    }

    /** One chain's device, its open files and the model, compared after every step. */
    static final class ModelRun implements AutoCloseable {
        final GenerationDevice device;
        final AbiModel model;
        final Watcher[] files = new Watcher[SLOTS];
        final EdgeCounter edges = new EdgeCounter();
        final GenerationProbe probe;
        private final List<Thread> threads = new ArrayList<>();

        ModelRun(GenerationDevice device) {
            this.device = device;
            WatcherCounts c = device.counts().orElseThrow(() -> new AssertionError("the model needs a driver that reports its counts"));
            assertThat(c.trackedWatchers()).as("tracked watchers before the chain: the model needs the device"
                    + " to itself (stop other users of it)").isZero();
            this.model = new AbiModel(c.generation(), SLOTS);
            this.probe = device.mapProbe();
        }

        DeviceFile file(int slot) {
            return files[slot].file();
        }

        int freeSlot() {
            for (int s = 0; s < SLOTS; s++) {
                if (!model.isOpen(s)) {
                    return s;
                }
            }
            return -1;
        }

        boolean anyOpen() {
            return any(s -> true);
        }

        boolean any(IntPredicate p) {
            for (int s = 0; s < SLOTS; s++) {
                if (model.isOpen(s) && p.test(s)) {
                    return true;
                }
            }
            return false;
        }

        Arbitrary<Integer> openSlots() {
            return slotsWhere(s -> true);
        }

        Arbitrary<Integer> slotsWhere(IntPredicate p) {
            List<Integer> out = new ArrayList<>();
            for (int s = 0; s < SLOTS; s++) {
                if (model.isOpen(s) && p.test(s)) {
                    out.add(s);
                }
            }
            return Arbitraries.of(out);
        }

        /** Runs {@code call} on a new thread of this run. */
        CompletableFuture<Integer> async(Supplier<Integer> call) {
            return blockingCall(call).result();
        }

        /**
         * Runs {@code call}, which blocks until another thread wakes it, on a new thread of this
         * run; wait with {@link #awaitBlockedInTheDevice} or {@link #awaitSleepingInTheKernel}
         * before waking it, so that a wake-up that is lost cannot pass unseen by coming first.
         */
        Blocking blockingCall(Supplier<Integer> call) {
            CompletableFuture<Integer> result = new CompletableFuture<>();
            AtomicInteger tid = new AtomicInteger();
            Thread t = new Thread(() -> {
                try {
                    tid.set(Integer.parseInt(readLink("/proc/thread-self").getFileName().toString()));
                    result.complete(call.get());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            }, "sysgenid-model");
            t.setDaemon(true);
            threads.add(t);
            t.start();
            return new Blocking(result, t, tid);
        }

        /**
         * Until the thread is blocked in the device's call: on the simulated device, waiting on
         * a condition of the simulated kernel; on the real one, asleep in the kernel.
         */
        void awaitBlockedInTheDevice(Blocking b) {
            if (!device.isSimulated()) {
                awaitSleepingInTheKernel(b);
                return;
            }
            awaitState(b, "waiting on the simulated kernel's condition", () -> {
                Thread.State state = b.thread().getState();
                return b.tid().get() != 0 && (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)
                        && LockSupport.getBlocker(b.thread()) instanceof Condition;
            });
        }

        /** Until the thread sleeps in a system call: state S in {@code /proc/self/task/<tid>/stat}. */
        void awaitSleepingInTheKernel(Blocking b) {
            awaitState(b, "asleep in the kernel (state S)", () -> {
                int tid = b.tid().get();
                if (tid == 0) {
                    return false;
                }
                String stat = readString("/proc/self/task/" + tid + "/stat");
                if (stat == null) {
                    return false; // the thread has ended: its call returned at once
                }
                return stat.charAt(stat.lastIndexOf(')') + 2) == 'S'; // the state follows "(comm) "
            });
        }

        private static void awaitState(Blocking b, String what, BooleanSupplier reached) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(THREAD_DEADLINE_SECONDS);
            // a call that is done returned at once: the step checks its answer
            while (!b.result().isDone() && !reached.getAsBoolean()) {
                if (System.nanoTime() > end) {
                    throw new AssertionError("the step's thread is not " + what + " after "
                            + THREAD_DEADLINE_SECONDS + " s");
                }
                LockSupport.parkNanos(100_000); // a poll with a deadline, not a wait for a time
            }
        }

        private static Path readLink(String link) {
            try {
                return Files.readSymbolicLink(Path.of(link));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The file's text, or null if it does not exist. */
        private static String readString(String file) {
            try {
                return Files.readString(Path.of(file));
            } catch (java.nio.file.NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        int onThread(Supplier<Integer> call) {
            return join(async(call));
        }

        int join(CompletableFuture<Integer> f) {
            try {
                return f.get(THREAD_DEADLINE_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("a thread of this step is still blocked after "
                        + THREAD_DEADLINE_SECONDS + " s (a lost wake-up?)", e);
            } catch (ExecutionException e) {
                throw new AssertionError("a thread of this step failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        /** The whole device against the model: counts, page, and each file's poll bits and edges. */
        void compare(String after) {
            WatcherCounts c = device.counts().orElseThrow(() -> new AssertionError("the model needs a driver that reports its counts"));
            assertThat(c).as("counts after: " + after).isEqualTo(
                    new WatcherCounts(model.generation(), model.tracked(), model.outdatedTracked()));
            assertThat(probe.generation()).as("the mapped counter after: " + after).isEqualTo(model.generation());
            int[] fds = new int[SLOTS];
            for (int s = 0; s < SLOTS; s++) {
                fds[s] = model.isOpen(s) ? file(s).pollFd() : -1;
            }
            int[] seen = edges.harvest(fds);
            for (int s = 0; s < SLOTS; s++) {
                if (!model.isOpen(s)) {
                    continue;
                }
                assertThat(EdgeCounter.revents(fds[s])).as("poll bits of file " + s + " after: " + after)
                        .isEqualTo(model.revents(s));
                assertThat(seen[s]).as("epoll edges of file " + s + " after: " + after).isEqualTo(model.takeEdge(s));
            }
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("model: generation ").append(Integer.toUnsignedString(model.generation()));
            for (int s = 0; s < SLOTS; s++) {
                if (model.isOpen(s)) {
                    AbiModel.File f = model.file(s);
                    b.append(", file ").append(s).append(f.outdated ? " outdated" : " up to date")
                            .append(f.tracked ? " tracked" : "");
                }
            }
            return b.toString();
        }

        @Override
        public void close() {
            for (Thread t : threads) {
                try {
                    t.join(TimeUnit.SECONDS.toMillis(THREAD_DEADLINE_SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            for (Watcher w : files) {
                if (w != null) {
                    w.close();
                }
            }
            edges.close();
            probe.close();
            device.close();
        }
    }

    /**
     * The budget: {@code -Dsysgenid.model.tries=N} or the class's {@link #defaultTries()}; and
     * {@code -Dsysgenid.model.seed=S} (jqwik has no system-wide setting for a seed).
     */
    public static final class ModelBudget implements AroundPropertyHook {
        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            String tries = System.getProperty("sysgenid.model.tries");
            context.attributes().setTries(tries != null ? Integer.parseInt(tries)
                    : ((DeviceModelProperties) context.testInstance()).defaultTries());
            String seed = System.getProperty("sysgenid.model.seed");
            if (seed != null) {
                context.attributes().setSeed(seed);
            }
            return property.execute();
        }
    }
}
