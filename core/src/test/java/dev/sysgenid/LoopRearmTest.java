/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.sysgenid.internal.turn.TurnExecutor;

/**
 * The re-arm of a registration whose fd the loop added to epoll while the watcher was outdated
 * (the production driver's poll never wakes such an epoll registration again), when the
 * acknowledgement that makes the watcher up to date comes from outside a listener call: the
 * application acknowledged the generation it read itself, through the registration, or the
 * library wrote it straight through the registration's watcher (no longer handed out to
 * applications, but a path the loop must still handle). Runs on our profile too, where no
 * re-arm is needed and the same sequence must work as well.
 */
class LoopRearmTest extends LoopFixture {

    /** Where the application writes its acknowledgement. */
    enum AckPath {
        REGISTRATION {
            @Override
            AckResult acknowledge(LoopRegistration reg, int generation) {
                return reg.acknowledge(generation);
            }
        },
        WATCHER {
            @Override
            AckResult acknowledge(LoopRegistration reg, int generation) {
                return reg.watcher.acknowledge(generation);
            }
        };

        abstract AckResult acknowledge(LoopRegistration reg, int generation);
    }

    /**
     * The loop adds W's fd while W is outdated (at g2), and the application acknowledges g2 before
     * the loop has looked at W's edge: the loop then finds W up to date, calls nothing, and no
     * acknowledgement of a listener call follows. The next change (g3) must still reach W's
     * listener. The loop is held at the right points by a {@link TurnExecutor} of another
     * registration (B) whose flush blocks on request: no sleep decides the order.
     */
    @ParameterizedTest
    @EnumSource(AckPath.class)
    void anAcknowledgementOutsideAListenerCallAfterAnAddWhileOutdatedKeepsTheRegistrationAwake(AckPath path)
            throws Exception {
        EpollLoop loop = device.loop();
        Watcher w = device.openWatcher();
        HoldingTurnExecutor hold = new HoldingTurnExecutor();
        LoopRegistration b = loop.register(device.openWatcher(), hold, (r, g) -> r.acknowledge(g));
        loopHasCaughtUp(device, executor);

        hold.holdAfterNextFlush();
        device.bump(); // g1: B's call, then the loop stays in B's flush
        assertThat(hold.awaitHolding()).as("the loop holds in B's flush").isTrue();

        int g2 = device.bump(); // B's next edge is pending; W is outdated
        BlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
        LoopRegistration reg = loop.register(w, executor, (r, g) -> {
            seen.add(g);
            r.acknowledge(g);
        });
        hold.holdAfterNextFlush();
        hold.release(); // one turn: B's edge and the add of W (outdated), then B's flush holds again
        assertThat(hold.awaitHolding()).as("the loop added W and holds again").isTrue();
        assertThat(path.acknowledge(reg, g2)).isEqualTo(AckResult.ACKNOWLEDGED);
        hold.release();
        loopHasCaughtUp(device, executor); // the loop has looked at the edge of W's ADD: up to date, nothing to call

        int g3 = device.bump();
        Integer got = seen.poll(5, TimeUnit.SECONDS);
        while (got != null && got != g3) {
            got = seen.poll(5, TimeUnit.SECONDS);
        }
        assertThat(got).as("W's listener gets the change after the acknowledgement (" + profile() + ")").isEqualTo(g3);
        reg.close();
        b.close();
    }

    /**
     * A registration added while outdated is re-armed exactly once where the driver's poll does
     * not register an outdated file (the production driver), and never on ours, whose poll does:
     * there the re-arm would be two system calls for nothing.
     */
    @Test
    void aRegistrationAddedWhileOutdatedIsReArmedOnceOnlyWhereTheDriverNeedsIt() throws Exception {
        EpollLoop loop = device.loop();
        long before = loop.rearmCount();
        Watcher w = device.openWatcher();
        int g1 = device.bump();
        BlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
        // acknowledge before reporting, and let the loop run the re-arm the acknowledgement
        // queued before the next change: a change before that re-arm's ADD would make it an
        // ADD while outdated, rightly re-armed once more
        LoopRegistration reg = loop.register(w, executor, (r, g) -> {
            r.acknowledge(g);
            seen.add(g);
        });
        assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo(g1);
        loopHasCaughtUp(device, executor);
        int g2 = device.bump();
        assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo(g2);
        loopHasCaughtUp(device, executor);
        int g3 = device.bump();
        assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo(g3);
        loopHasCaughtUp(device, executor);
        assertThat(loop.rearmCount() - before).as("re-arms on " + profile())
                .isEqualTo(profile() == DriverProfile.OURS ? 0 : 1);
        reg.close();
    }

    /**
     * The re-arm's DEL and ADD race the registration's close (the listener acknowledges, then
     * the registration is closed at once from another thread): whichever task the loop runs
     * first, nothing fails, no fd or pipe is left behind (the fixture counts them), and the
     * loop goes on serving.
     */
    @Test
    void aReArmRacingTheCloseOfItsRegistrationLeavesNothingBehind() throws Exception {
        EpollLoop loop = device.loop();
        AtomicReference<SysgenidException> ended = new AtomicReference<>();
        for (int i = 0; i < 200; i++) {
            Watcher w = device.openWatcher();
            int g = device.bump();
            CountDownLatch acked = new CountDownLatch(1);
            LoopRegistration reg = loop.register(w, executor, new GenerationListener() {
                @Override
                public void onGeneration(LoopRegistration r, int gen) {
                    r.acknowledge(gen);
                    acked.countDown();
                }

                @Override
                public void onTerminated(SysgenidException cause) {
                    ended.set(cause);
                }
            });
            if (i % 2 == 0) {
                assertThat(acked.await(5, TimeUnit.SECONDS)).isTrue();
            } else {
                assertThat(reg.watcher.acknowledge(g)).isEqualTo(AckResult.ACKNOWLEDGED); // outside a call
            }
            reg.close();
            assertThat(waitFor(w::isClosed)).as("the loop closed the watcher of registration " + i).isTrue();
        }
        assertThat(ended.get()).as("no registration ended with an error").isNull();
        BlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
        LoopRegistration last = loop.register(device.openWatcher(), executor, (r, g) -> seen.add(g));
        loopHasCaughtUp(device, executor);
        int g = device.bump();
        assertThat(seen.poll(5, TimeUnit.SECONDS)).as("the loop still serves").isEqualTo(g);
        last.close();
    }

    /**
     * Bumps race the re-arms: a thread bumps while the listener acknowledges each change, so
     * the re-arm's DEL and ADD find the watcher outdated again and again (each such ADD is
     * re-armed once more). The registration never fails (a DEL that missed its entry would
     * end it) and the change after the storm arrives.
     */
    @Test
    void bumpsRacingReArmsLoseNoChange() throws Exception {
        EpollLoop loop = device.loop();
        AtomicReference<SysgenidException> ended = new AtomicReference<>();
        AtomicInteger latest = new AtomicInteger(-1);
        Watcher w = device.openWatcher();
        device.bump();
        LoopRegistration reg = loop.register(w, executor, new GenerationListener() {
            @Override
            public void onGeneration(LoopRegistration r, int gen) {
                latest.set(gen);
                r.acknowledge(gen);
            }

            @Override
            public void onTerminated(SysgenidException cause) {
                ended.set(cause);
            }
        });
        Thread bumper = new Thread(() -> {
            for (int i = 0; i < 2000; i++) {
                device.bump();
                if (i % 50 == 0) {
                    Thread.yield();
                }
            }
        });
        bumper.start();
        bumper.join(30_000);
        assertThat(bumper.isAlive()).isFalse();
        int last = device.bump();
        assertThat(waitFor(() -> latest.get() == last)).as("the last change arrived").isTrue();
        assertThat(ended.get()).as("the registration never failed").isNull();
        if (profile() != DriverProfile.OURS) {
            assertThat(loop.rearmCount()).as("re-armed at least once").isPositive();
        }
        reg.close();
    }

    /**
     * Random interleavings (seeded; the seed is in the failure message) of bumps, registrations
     * made while outdated, acknowledgements inside listener calls, outside them through the
     * registration and straight through the watcher, and closes: afterwards every registration
     * still open gets the next change.
     */
    @Test
    void randomInterleavingsOfAcknowledgementsLeaveNoRegistrationDeaf() throws Exception {
        long seed = Long.getLong("sysgenid.rearm.seed", System.nanoTime());
        Random random = new Random(seed);
        EpollLoop loop = device.loop();
        List<LoopRegistration> open = new ArrayList<>();
        Map<LoopRegistration, AtomicInteger> latest = new ConcurrentHashMap<>();
        AtomicReference<SysgenidException> ended = new AtomicReference<>();
        for (int step = 0; step < 400; step++) {
            int action = random.nextInt(10);
            if (action < 3 || open.isEmpty()) {
                AtomicInteger seen = new AtomicInteger(-1);
                boolean ackInCall = random.nextBoolean();
                LoopRegistration reg = loop.register(device.openWatcher(), executor, new GenerationListener() {
                    @Override
                    public void onGeneration(LoopRegistration r, int gen) {
                        seen.set(gen);
                        if (ackInCall || gen % 2 == 0) {
                            r.acknowledge(gen);
                        } else {
                            r.watcher.acknowledge(gen); // the listener acknowledges through the watcher
                            r.acknowledge(gen); // and then ends its call
                        }
                    }

                    @Override
                    public void onTerminated(SysgenidException cause) {
                        ended.set(cause);
                    }
                });
                open.add(reg);
                latest.put(reg, seen);
            } else if (action < 6) {
                device.bump();
            } else if (action < 8) {
                LoopRegistration reg = open.get(random.nextInt(open.size()));
                OptionalInt g = reg.watcher.tryRead();
                if (g.isPresent()) {
                    if (random.nextBoolean()) {
                        reg.acknowledge(g.getAsInt());
                    } else {
                        reg.watcher.acknowledge(g.getAsInt());
                    }
                }
            } else if (action < 9 && open.size() > 1) {
                LoopRegistration reg = open.remove(random.nextInt(open.size()));
                latest.remove(reg);
                reg.close();
            } else if (random.nextBoolean()) {
                Thread.yield();
            }
        }
        int last = device.bump();
        for (LoopRegistration reg : open) {
            assertThat(waitFor(() -> latest.get(reg).get() == last))
                    .as("seed " + seed + ": a registration got the last change (" + profile() + ")").isTrue();
        }
        assertThat(ended.get()).as("seed " + seed + ": no registration failed").isNull();
        open.forEach(LoopRegistration::close);
    }

    /**
     * A {@link TurnExecutor} that runs its calls inline in {@link #flush()} and, when asked,
     * then keeps the loop thread in that flush until {@link #release()}: it breaks flush's
     * never-block rule on purpose, to stop the loop between two of its steps.
     */
    static final class HoldingTurnExecutor implements TurnExecutor {
        private final Queue<Runnable> queued = new ArrayDeque<>(); // loop thread only
        private final Semaphore holding = new Semaphore(0);
        private final Semaphore released = new Semaphore(0);
        private volatile boolean holdNext;

        void holdAfterNextFlush() {
            holdNext = true;
        }

        boolean awaitHolding() throws InterruptedException {
            return holding.tryAcquire(5, TimeUnit.SECONDS);
        }

        void release() {
            released.release();
        }

        @Override
        public boolean executeLater(Runnable task) {
            boolean first = queued.isEmpty();
            queued.add(task);
            return first;
        }

        @Override
        public void flush() {
            for (Runnable r = queued.poll(); r != null; r = queued.poll()) {
                r.run();
            }
            if (holdNext) {
                holdNext = false;
                holding.release();
                released.acquireUninterruptibly();
            }
        }

        @Override
        public void execute(Runnable command) {
            command.run();
        }
    }
}
