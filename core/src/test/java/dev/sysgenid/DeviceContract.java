/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sysgenid.internal.Errno;
import dev.sysgenid.internal.LibC;

/**
 * The device semantics of {@code sysgenid-abi.md}, row by row. The same tests run against the
 * simulated device on both driver profiles (in {@code mvn verify}) and the real module (in the
 * QEMU guest), so they cannot drift. Tests never assume a starting generation: the real counter
 * is system-wide.
 *
 * <p>Where the production driver differs from ours, the test says so once, with both
 * expectations, keyed on {@link #production()}: the signed counter and {@code min_gen}, TRIGGER
 * for a user namespace's root, the poll that leaves an outdated file off the wait queue, and
 * the counts it does not report.
 */
public abstract class DeviceContract {

    protected GenerationDevice device;
    protected Overseer overseer;

    /** The device under test, fresh for each test. */
    protected abstract GenerationDevice openDevice();

    /** Runs {@code body} as a caller without the capability TRIGGER needs. */
    protected abstract void withoutTriggerCapability(Runnable body);

    /**
     * Runs {@code body} as the root of a user namespace of its own (a container's root): the
     * capability there, not in the initial namespace.
     */
    protected abstract void asUserNamespaceRoot(Runnable body);

    /**
     * The tracked and outdated counts as the driver keeps them. The real device: what it
     * reports. The simulated one: its own books, on both profiles (the production driver keeps
     * the same counts for WAIT_WATCHERS; it only does not report them).
     */
    protected abstract WatcherCounts driverCounts();

    /** Whether the device behaves as the production driver (see the class comment). */
    protected final boolean production() {
        return device.driver().profile() == DriverProfile.PRODUCTION;
    }

    /** The highest value of the counter: the production driver's is signed. */
    private int top() {
        return production() ? Integer.MAX_VALUE : 0xFFFF_FFFF;
    }

    @BeforeEach
    void open() {
        device = openDevice();
        overseer = device.overseer();
    }

    @AfterEach
    void closeAll() {
        overseer.close();
        device.close();
    }

    private static long raw(Watcher w, int bufferSize) {
        return w.file().read(bufferSize);
    }

    // ---- open -------------------------------------------------------------------------------

    @Test
    void openRemembersTheCurrentGenerationAsAcknowledged() {
        overseer.trigger();
        try (Watcher w = device.openWatcher()) {
            assertThat(w.isOutdated()).isFalse();
            assertThat(w.tryRead()).isEmpty();
            assertThat(w.isTracked()).isFalse();
        }
    }

    // ---- read -------------------------------------------------------------------------------

    @Test
    void readWithAShortBufferIsEinvalAndWithAnEmptyOneReturnsZero() {
        try (Watcher w = device.openWatcher()) {
            overseer.trigger();
            assertThat(raw(w, 0)).isEqualTo(0);
            assertThat(raw(w, 1)).isEqualTo(-Errno.EINVAL);
            assertThat(raw(w, 3)).isEqualTo(-Errno.EINVAL);
            assertThat(raw(w, 4)).isEqualTo(Integer.toUnsignedLong(device.currentGeneration()));
        }
    }

    @Test
    void readOfAnUpToDateFileIsEagainWithoutBlocking() {
        try (Watcher w = device.openWatcher()) {
            assertThat(raw(w, 4)).isEqualTo(-Errno.EAGAIN);
        }
    }

    @Test
    void blockingReadWakesWhenTheCounterMoves() throws Exception {
        try (Watcher w = device.openWatcher()) {
            CompletableFuture<OptionalInt> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return w.read(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(200);
            assertThat(read).isNotDone();
            int g = overseer.trigger();
            assertThat(read.get(10, TimeUnit.SECONDS)).hasValue(g);
        }
    }

    @Test
    void blockingReadReturnsEmptyOnTimeout() throws Exception {
        try (Watcher w = device.openWatcher()) {
            assertThat(w.read(Duration.ofMillis(150))).isEmpty();
        }
    }

    @Test
    void blockingReadIsInterruptible() throws Exception {
        try (Watcher w = device.openWatcher()) {
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> w.read(Duration.ofSeconds(30))).isInstanceOf(InterruptedException.class);
        }
    }

    @Test
    void anOutdatedFileReturnsTheCurrentCounterAgainAndAgainUntilAcknowledged() {
        try (Watcher w = device.openWatcher()) {
            overseer.trigger();
            int g = overseer.trigger();
            assertThat(w.tryRead()).hasValue(g);
            assertThat(w.tryRead()).hasValue(g);
            assertThat(w.acknowledge(g)).isEqualTo(AckResult.ACKNOWLEDGED);
            assertThat(w.tryRead()).isEmpty();
        }
    }

    // ---- write ------------------------------------------------------------------------------

    @Test
    void writeOfAnythingButFourBytesIsEnobufs() {
        try (Watcher w = device.openWatcher()) {
            int g = overseer.trigger();
            assertThat(w.file().write(g, 2)).isEqualTo(-Errno.ENOBUFS);
            assertThat(w.file().write(g, 8)).isEqualTo(-Errno.ENOBUFS);
            assertThat(w.isOutdated()).isTrue();
        }
    }

    @Test
    void acknowledgingAnOldGenerationIsStaleAndLeavesTheFileOutdated() {
        try (Watcher w = device.openWatcher()) {
            int first = overseer.trigger();
            int second = overseer.trigger();
            assertThat(w.acknowledge(first)).isEqualTo(AckResult.STALE);
            assertThat(w.isOutdated()).isTrue();
            assertThat(w.acknowledge(second)).isEqualTo(AckResult.ACKNOWLEDGED);
            assertThat(w.isOutdated()).isFalse();
        }
    }

    // ---- poll -------------------------------------------------------------------------------

    @Test
    void pollIsReadableWhileOutdatedLevelTriggeredUntilTheWrite() {
        try (Watcher w = device.openWatcher()) {
            assertThat(w.isOutdated()).isFalse();
            int g = overseer.trigger();
            assertThat(w.isOutdated()).isTrue();
            w.tryRead();
            assertThat(w.isOutdated()).as("a read does not acknowledge").isTrue();
            w.acknowledge(g);
            assertThat(w.isOutdated()).isFalse();
        }
    }

    @Test
    void pollReportsInputWhileOutdatedAndNeverOutput() {
        try (Watcher w = device.openWatcher()) {
            int fd = w.file().pollFd();
            assertThat(EdgeCounter.revents(fd)).as("up to date: nothing, not even POLLOUT").isZero();
            int g = overseer.trigger();
            assertThat(EdgeCounter.revents(fd)).as("outdated: EPOLLIN | EPOLLRDNORM and no more")
                    .isEqualTo(EdgeCounter.POLLIN | EdgeCounter.POLLRDNORM);
            w.acknowledge(g);
            assertThat(EdgeCounter.revents(fd)).isZero();
        }
    }

    /**
     * The driver wakes every poller on every bump, so an edge-triggered epoll reports a file
     * once per bump, also while it is still outdated from the last one (the epoll loop's MISSED
     * path depends on it); an acknowledgement or a tracking change is no edge.
     */
    @Test
    void everyBumpIsOneEdgeEvenForAFileThatIsAlreadyOutdated() {
        try (Watcher w = device.openWatcher(); EdgeCounter edges = new EdgeCounter()) {
            int fd = w.file().pollFd();
            edges.add(w.file());
            assertThat(edges.harvest(fd)).as("armed while up to date").isZero();
            overseer.trigger();
            assertThat(edges.harvest(fd)).as("first bump").isEqualTo(1);
            assertThat(edges.harvest(fd)).as("no second report of the same edge").isZero();
            int g = overseer.trigger();
            assertThat(edges.harvest(fd)).as("second bump while still outdated").isEqualTo(1);
            w.setTracking(true);
            assertThat(edges.harvest(fd)).as("tracking is no edge").isZero();
            w.acknowledge(g);
            assertThat(edges.harvest(fd)).as("an acknowledgement is no edge").isZero();
            overseer.trigger();
            overseer.trigger();
            assertThat(edges.harvest(fd)).as("two bumps before one look: one report").isEqualTo(1);
            w.acknowledge(overseer.trigger());
            assertThat(edges.harvest(fd)).as("acknowledged before the look: nothing readable, nothing reported").isZero();
            edges.remove(w.file());
        }
    }

    /**
     * On our driver a file added to epoll while outdated is woken by every later bump; on the
     * production profile, its poll does not register an outdated file on the wait queue: that
     * epoll registration gets the edge of its ADD and never another (the epoll loop arms again
     * after the acknowledgement for that reason).
     */
    @Test
    void anEpollRegistrationMadeWhileOutdatedIsWokenOnlyOnOurDriver() {
        try (Watcher w = device.openWatcher(); EdgeCounter edges = new EdgeCounter()) {
            int fd = w.file().pollFd();
            overseer.trigger();
            edges.add(w.file());
            assertThat(edges.harvest(fd)).as("added while outdated: readable at once").isEqualTo(1);
            int g = overseer.trigger();
            assertThat(edges.harvest(fd)).as("a later bump while still outdated").isEqualTo(production() ? 0 : 1);
            w.acknowledge(g);
            overseer.trigger();
            assertThat(edges.harvest(fd)).as("a bump after the acknowledgement").isEqualTo(production() ? 0 : 1);
            assertThat(w.isOutdated()).as("poll(2) sees the change on both").isTrue();
            edges.remove(w.file());
        }
    }

    /**
     * epoll keys its entry by the file: whatever changes in between, a second ADD finds the
     * first ({@code EEXIST}) and a DEL takes it out, so the loop's re-arm (DEL, then ADD) works;
     * an fd added again while up to date is woken by the next bump on both drivers.
     */
    @Test
    void anEpollRegistrationIsOneEntryOfTheFileWhateverChangesInBetween() {
        try (Watcher w = device.openWatcher(); EdgeCounter edges = new EdgeCounter()) {
            int fd = w.file().pollFd();
            edges.add(w.file());
            int g = overseer.trigger();
            assertThat(edges.ctl(w.file(), LibC.EPOLL_CTL_ADD)).as("a second ADD after a bump").isEqualTo(-Errno.EEXIST);
            assertThat(edges.remove(w.file())).as("the DEL after a bump finds the ADD's entry").isZero();
            assertThat(edges.remove(w.file())).as("nothing left to DEL").isEqualTo(-Errno.ENOENT);
            edges.add(w.file());
            assertThat(edges.harvest(fd)).as("added while outdated: readable at once").isEqualTo(1);
            w.acknowledge(g);
            assertThat(edges.ctl(w.file(), LibC.EPOLL_CTL_ADD)).as("a second ADD after the acknowledgement")
                    .isEqualTo(-Errno.EEXIST);
            assertThat(edges.remove(w.file())).as("the DEL after the acknowledgement finds the ADD's entry").isZero();
            edges.add(w.file());
            overseer.trigger();
            assertThat(edges.harvest(fd)).as("added again while up to date: woken by the next bump").isEqualTo(1);
            assertThat(edges.remove(w.file())).isZero();
        }
    }

    // ---- tracking and WAIT_WATCHERS ---------------------------------------------------------

    @Test
    void waitReturnsAtOnceWhenNoTrackedWatcherIsOutdated() throws Exception {
        try (Watcher untracked = device.openWatcher()) {
            overseer.trigger();
            assertThat(overseer.awaitWatchers(Duration.ofSeconds(5)).outcome())
                    .isEqualTo(WaitResult.Outcome.ALL_ACKNOWLEDGED);
        }
    }

    @Test
    void waitTimesOutWithTheNumberOfOutdatedTrackedWatchers() throws Exception {
        try (Watcher w = device.openWatcher()) {
            w.setTracking(true);
            int g = overseer.trigger();
            WaitResult r = overseer.awaitWatchers(Duration.ofMillis(300));
            assertThat(r.outcome()).isEqualTo(WaitResult.Outcome.TIMED_OUT);
            assertThat(r.outdatedWatchers()).as("the production driver reports no counts")
                    .isEqualTo(production() ? OptionalInt.empty() : OptionalInt.of(1));
            w.acknowledge(g);
            assertThat(overseer.awaitWatchers(Duration.ofSeconds(5)).allAcknowledged()).isTrue();
        }
    }

    @Test
    void waitEndsWhenTheLastTrackedWatcherAcknowledges() throws Exception {
        try (Watcher w = device.openWatcher()) {
            w.setTracking(true);
            int g = overseer.trigger();
            CompletableFuture<WaitResult> wait = waitAsync(Duration.ofSeconds(30));
            Thread.sleep(200);
            assertThat(wait).isNotDone();
            w.acknowledge(g);
            assertThat(wait.get(10, TimeUnit.SECONDS).allAcknowledged()).isTrue();
        }
    }

    @Test
    void waitIsInterruptedWhenTheCallersOwnFileIsOutdated() throws Exception {
        try (Overseer other = device.overseer(); Watcher w = device.openWatcher()) {
            w.setTracking(true);
            other.trigger(); // the first overseer's own file is now outdated
            assertThat(overseer.awaitWatchers(Duration.ofSeconds(5)).outcome())
                    .isEqualTo(WaitResult.Outcome.CALLER_OUTDATED);
            w.acknowledge(overseer.catchUp());
        }
    }

    @Test
    void waitIsInterruptedWhenTheCallersOwnFileBecomesOutdatedWhileWaiting() throws Exception {
        try (Overseer other = device.overseer(); Watcher w = device.openWatcher()) {
            w.setTracking(true);
            overseer.trigger();
            CompletableFuture<WaitResult> wait = waitAsync(Duration.ofSeconds(30));
            Thread.sleep(200);
            assertThat(wait).isNotDone();
            other.trigger();
            assertThat(wait.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(WaitResult.Outcome.CALLER_OUTDATED);
        }
    }

    @Test
    void aRestoreCycleWaitsThroughAChangeBySomeoneElseForTheNewestGeneration() throws Exception {
        try (Overseer other = device.overseer(); Watcher w = device.openWatcher()) {
            w.setTracking(true);
            CompletableFuture<WaitResult> cycle = CompletableFuture.supplyAsync(() -> {
                try {
                    return overseer.restoreCycle(0, Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(waitUntil(() -> w.isOutdated())).isTrue();
            int first = w.tryRead().getAsInt();
            int newest = other.trigger(); // the cycle's own file is outdated now: it catches up
            Thread.sleep(200);
            assertThat(cycle).isNotDone();
            assertThat(w.acknowledge(first)).isEqualTo(AckResult.STALE);
            assertThat(cycle).isNotDone();
            assertThat(w.acknowledge(newest)).isEqualTo(AckResult.ACKNOWLEDGED);
            WaitResult r = cycle.get(10, TimeUnit.SECONDS);
            assertThat(r.outcome()).isEqualTo(WaitResult.Outcome.ALL_ACKNOWLEDGED);
        }
    }

    private static boolean waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 500 && !condition.getAsBoolean(); i++) {
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }

    @Test
    void closingAnOutdatedTrackedWatcherReleasesTheWaiter() throws Exception {
        Watcher w = device.openWatcher();
        w.setTracking(true);
        overseer.trigger();
        CompletableFuture<WaitResult> wait = waitAsync(Duration.ofSeconds(30));
        Thread.sleep(200);
        assertThat(wait).isNotDone();
        w.close();
        assertThat(wait.get(10, TimeUnit.SECONDS).allAcknowledged()).isTrue();
    }

    @Test
    void trackingAnAlreadyOutdatedFileCountsItAsOutdatedAtOnce() throws Exception {
        try (Watcher w = device.openWatcher()) {
            int before = driverCounts().outdatedWatchers();
            int g = overseer.trigger();
            assertThat(overseer.awaitWatchers(Duration.ofSeconds(5)).allAcknowledged()).isTrue();
            w.setTracking(true);
            assertThat(driverCounts().outdatedWatchers()).isEqualTo(before + 1);
            assertThat(overseer.awaitWatchers(Duration.ofMillis(200)).outcome()).isEqualTo(WaitResult.Outcome.TIMED_OUT);
            w.setTracking(false);
            assertThat(driverCounts().outdatedWatchers()).isEqualTo(before);
            assertThat(overseer.awaitWatchers(Duration.ofSeconds(5)).allAcknowledged()).isTrue();
            w.acknowledge(g);
        }
    }

    @Test
    void countsFollowTrackingAndClose() {
        WatcherCounts start = driverCounts();
        Watcher a = device.openWatcher();
        Watcher b = device.openWatcher();
        a.setTracking(true);
        b.setTracking(true);
        assertThat(driverCounts().trackedWatchers()).isEqualTo(start.trackedWatchers() + 2);
        int g = overseer.trigger();
        assertThat(driverCounts().outdatedWatchers()).isEqualTo(start.outdatedWatchers() + 2);
        assertThat(driverCounts().generation()).isEqualTo(g);
        a.acknowledge(g);
        assertThat(driverCounts().outdatedWatchers()).isEqualTo(start.outdatedWatchers() + 1);
        b.close();
        a.close();
        assertThat(driverCounts().trackedWatchers()).isEqualTo(start.trackedWatchers());
        assertThat(driverCounts().outdatedWatchers()).isEqualTo(start.outdatedWatchers());
    }

    @Test
    void theCountsAreReportedByOurDriverOnly() {
        assertThat(device.driver().profile()).isEqualTo(production() ? DriverProfile.PRODUCTION : DriverProfile.OURS);
        if (production()) {
            assertThat(device.counts()).as("the production driver exports no sysfs attributes").isEmpty();
        } else {
            assertThat(device.counts()).hasValueSatisfying(c -> assertThat(c.generation()).isEqualTo(device.currentGeneration()));
        }
    }

    // ---- TRIGGER ----------------------------------------------------------------------------

    @Test
    void triggerMovesToMaxOfMinimumAndCurrentPlusOne() {
        int c = overseer.trigger();
        if (Integer.compareUnsigned(c, top() - 0xFFFF) > 0) {
            c = overseer.trigger(0); // leave the wrap zone so c + 10 does not wrap
            c = overseer.trigger(0);
        }
        assertThat(overseer.trigger(c + 10)).isEqualTo(c + 10);
        assertThat(overseer.trigger(c)).as("a minimum below the counter gives current + 1").isEqualTo(c + 11);
        assertThat(overseer.trigger(0)).isEqualTo(c + 12);
    }

    /**
     * Ours: unsigned, the counter moves across 0x7fffffff and wraps from 0xffffffff to 0. On
     * the production profile: signed, {@code max((int) min_gen, counter + 1)}: below the top
     * TRIGGER(0x80000000) moves by one (a negative min_gen is below counter + 1) and the
     * counter wraps from 0x7fffffff to 0; at the top a negative min_gen sets the counter, and
     * from there min_gen 0 gives 0.
     */
    @Test
    void theCounterStillMovesAcrossTheSignedBoundaryAndWraps() {
        if (Integer.compareUnsigned(device.currentGeneration(), 0x7FFF_FFFE) < 0) {
            assertThat(overseer.trigger(0x7FFF_FFFE)).isEqualTo(0x7FFF_FFFE);
        }
        if (production()) {
            if (device.currentGeneration() != 0x7FFF_FFFE) {
                overseer.trigger(0); // at the top: wrap first
                overseer.trigger(0x7FFF_FFFE);
            }
            assertThat(overseer.trigger(0x8000_0000)).as("TRIGGER(0x80000000) moves by one").isEqualTo(0x7FFF_FFFF);
            try (Watcher w = device.openWatcher()) {
                assertThat(overseer.trigger(0)).as("wraps from 0x7fffffff to zero").isEqualTo(0);
                assertThat(w.tryRead()).hasValue(0);
                assertThat(w.acknowledge(0)).isEqualTo(AckResult.ACKNOWLEDGED);
            }
            assertThat(overseer.trigger(0xFFFF_FFFF)).as("min_gen -1 is below counter + 1").isEqualTo(1);
            overseer.trigger(0x7FFF_FFFF);
            try (Watcher w = device.openWatcher()) {
                assertThat(overseer.trigger(0x8000_0000)).as("at the top, max(INT_MIN, INT_MIN) sets the counter")
                        .isEqualTo(0x8000_0000);
                assertThat(w.tryRead()).hasValue(0x8000_0000);
                assertThat(overseer.trigger(0)).as("from a negative counter, max(0, counter + 1) is 0").isZero();
                assertThat(w.tryRead()).hasValue(0);
                assertThat(w.acknowledge(0)).isEqualTo(AckResult.ACKNOWLEDGED);
            }
            return;
        }
        int g = overseer.trigger(0x7FFF_FFFE);
        assertThat(g).isNotEqualTo(0x7FFF_FFFE);
        if (Integer.compareUnsigned(g, 0xFFFF_FFFF) < 0) {
            assertThat(overseer.trigger(0xFFFF_FFFF)).as("min_gen is unsigned").isEqualTo(0xFFFF_FFFF);
        }
        try (Watcher w = device.openWatcher()) {
            assertThat(overseer.trigger(0)).as("wraps to zero").isEqualTo(0);
            assertThat(w.tryRead()).hasValue(0);
            assertThat(w.acknowledge(0)).isEqualTo(AckResult.ACKNOWLEDGED);
        }
        assertThat(overseer.trigger(0)).isEqualTo(1);
    }

    /**
     * TRIGGER with {@code min_gen} 0x7fffffff at 0x7fffffff. Ours: the counter moves (unsigned,
     * 0x7fffffff is no top: to 0x80000000) and every watcher is outdated; at its own top,
     * TRIGGER(0xffffffff) wraps to 0, never leaving the counter where it is. The production
     * driver: {@code max(0x7fffffff, 0x7fffffff + 1)} in signed arithmetic leaves the counter;
     * it wakes its pollers but outdates no file, and sets its outdated count to the tracked
     * count, which no acknowledgement lowers: WAIT_WATCHERS waits until its timeout or the next
     * change.
     */
    @Test
    void triggerAtTheTopWithTheTopAsMinimum() throws Exception {
        moveTo0x7fffffff();
        try (Watcher w = device.openWatcher()) {
            w.setTracking(true);
            int g = overseer.trigger(0x7FFF_FFFF);
            if (production()) {
                assertThat(g).as("the counter stays").isEqualTo(0x7FFF_FFFF);
                assertThat(w.tryRead()).as("no file is outdated").isEmpty();
                assertThat(w.isOutdated()).isFalse();
                assertThat(w.acknowledge(g)).isEqualTo(AckResult.ACKNOWLEDGED);
                assertThat(overseer.awaitWatchers(Duration.ofMillis(200)).outcome())
                        .as("the outdated count is the tracked count, and acknowledging lowers nothing")
                        .isEqualTo(WaitResult.Outcome.TIMED_OUT);
                int next = overseer.trigger(0);
                assertThat(next).as("the next change wraps").isZero();
                assertThat(w.tryRead()).hasValue(next);
                assertThat(w.acknowledge(next)).isEqualTo(AckResult.ACKNOWLEDGED);
                assertThat(overseer.awaitWatchers(Duration.ofSeconds(5)).allAcknowledged())
                        .as("after a change, the acknowledgements count again").isTrue();
                return;
            }
            assertThat(g).as("ours moves across 0x7fffffff").isEqualTo(0x8000_0000);
            assertThat(w.tryRead()).hasValue(g);
            assertThat(w.acknowledge(g)).isEqualTo(AckResult.ACKNOWLEDGED);
            assertThat(overseer.awaitWatchers(Duration.ofSeconds(5)).allAcknowledged()).isTrue();
            assertThat(overseer.trigger(0xFFFF_FFFF)).isEqualTo(0xFFFF_FFFF);
            assertThat(overseer.trigger(0xFFFF_FFFF)).as("at its own top, the counter still moves").isZero();
            assertThat(w.tryRead()).hasValue(0);
            assertThat(w.acknowledge(0)).isEqualTo(AckResult.ACKNOWLEDGED);
        }
    }

    /** Brings the counter to 0x7fffffff from anywhere, on either driver. */
    private void moveTo0x7fffffff() {
        int c = device.currentGeneration();
        if (c == 0x7FFF_FFFF) {
            return;
        }
        if (c < 0) { // ours past 0x7fffffff, or a negative production counter: to 0 first
            if (!production() && c != -1) {
                overseer.trigger(0xFFFF_FFFF);
            }
            overseer.trigger(0);
        }
        overseer.trigger(0x7FFF_FFFF);
        assertThat(device.currentGeneration()).isEqualTo(0x7FFF_FFFF);
    }

    @Test
    void triggerWithoutTheCapabilityIsATypedError() {
        int before = device.currentGeneration();
        withoutTriggerCapability(() -> {
            try (Overseer unprivileged = device.overseer()) {
                assertThatThrownBy(unprivileged::trigger)
                        .isInstanceOf(MissingCapabilityException.class)
                        .hasMessageContaining("CAP_CHECKPOINT_RESTORE")
                        .hasMessageContaining(production() ? "the caller's user namespace" : "the initial user namespace");
            }
        });
        assertThat(device.currentGeneration()).isEqualTo(before);
    }

    /** Ours wants the capability in the initial user namespace; the production driver takes a namespace's root. */
    @Test
    void aUserNamespaceRootMayTriggerOnlyOnTheProductionDriver() {
        asUserNamespaceRoot(() -> {
            try (Overseer nsRoot = device.overseer()) {
                int before = device.currentGeneration();
                if (production()) {
                    assertThat(nsRoot.trigger()).isNotEqualTo(before);
                } else {
                    assertThatThrownBy(nsRoot::trigger).isInstanceOf(MissingCapabilityException.class)
                            .hasMessageContaining("a root inside a container's user namespace is not enough");
                    assertThat(device.currentGeneration()).isEqualTo(before);
                }
            }
        });
    }

    @Test
    void anUnknownIoctlIsEinval() {
        try (Watcher w = device.openWatcher()) {
            assertThat(w.file().ioctl(0xE4FFL, 0)).isEqualTo(-Errno.EINVAL);
            assertThat(w.file().ioctl(0xE404L, 0)).isEqualTo(-Errno.EINVAL);
        }
    }

    // ---- mmap -------------------------------------------------------------------------------

    @Test
    void theMappedPageIsALiveCopyOfTheCounter() {
        try (GenerationProbe probe = device.mapProbe()) {
            int g = overseer.trigger();
            assertThat(probe.generation()).isEqualTo(g);
            assertThat(probe.hasChangedSince(g)).isFalse();
            int h = overseer.trigger();
            assertThat(probe.hasChangedSince(g)).isTrue();
            assertThat(probe.generation()).isEqualTo(h);
        }
    }

    @Test
    void aWritableMappingIsEpermAndOffsetsOrSizesBeyondOnePageAreEinval() {
        BackedDevice d = (BackedDevice) device;
        long page = dev.sysgenid.internal.LibC.pageSize();
        assertThat(d.mapRaw(page, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, 0)).isEqualTo(-Errno.EPERM);
        assertThat(d.mapRaw(page, LibC.PROT_READ, LibC.MAP_SHARED, page)).isEqualTo(-Errno.EINVAL);
        assertThat(d.mapRaw(2 * page, LibC.PROT_READ, LibC.MAP_SHARED, 0)).isEqualTo(-Errno.EINVAL);
    }

    /** Our driver refuses exec as it refuses write; the production driver refuses only write. */
    @Test
    void anExecutableMappingIsEpermOnOurDriver() {
        BackedDevice d = (BackedDevice) device;
        long page = LibC.pageSize();
        for (int type : new int[] {LibC.MAP_SHARED, LibC.MAP_PRIVATE}) {
            long r = d.mapRaw(page, LibC.PROT_READ | LibC.PROT_EXEC, type, 0);
            if (r > 0) {
                LibC.munmap(r, page);
            }
            if (production()) {
                assertThat(r).as("map type %d", type).isPositive();
            } else {
                assertThat(r).as("map type %d", type).isEqualTo(-Errno.EPERM);
            }
        }
    }

    @Test
    void aReadOnlyMappingCannotBeMadeWritable() {
        assertFollowsTheCounterAndCannotBeMadeWritable(LibC.MAP_SHARED);
    }

    /** The driver checks offset and size before the protection: a bad writable mapping is EINVAL. */
    @Test
    void aWritableMappingAtABadOffsetOrSizeIsEinvalBeforeEperm() {
        BackedDevice d = (BackedDevice) device;
        long page = dev.sysgenid.internal.LibC.pageSize();
        int rw = LibC.PROT_READ | LibC.PROT_WRITE;
        assertThat(d.mapRaw(page, rw, LibC.MAP_SHARED, page)).isEqualTo(-Errno.EINVAL);
        assertThat(d.mapRaw(2 * page, rw, LibC.MAP_SHARED, 0)).isEqualTo(-Errno.EINVAL);
        assertThat(d.mapRaw(page, rw, LibC.MAP_PRIVATE, page)).isEqualTo(-Errno.EINVAL);
        assertThat(d.mapRaw(page, rw, LibC.MAP_PRIVATE, 0)).as("a private writable mapping").isEqualTo(-Errno.EPERM);
    }

    @Test
    void aPrivateReadOnlyMappingFollowsTheCounterAndCannotBeMadeWritable() {
        assertFollowsTheCounterAndCannotBeMadeWritable(LibC.MAP_PRIVATE);
    }

    /** A read-only mapping of {@code mapType} sees the next bump and refuses mprotect to writable. */
    private void assertFollowsTheCounterAndCannotBeMadeWritable(int mapType) {
        BackedDevice d = (BackedDevice) device;
        long page = dev.sysgenid.internal.LibC.pageSize();
        long addr = d.mapRaw(page, LibC.PROT_READ, mapType, 0);
        assertThat(addr).isPositive();
        try {
            int g = overseer.trigger();
            assertThat(new com.sun.jna.Pointer(addr).getInt(0)).isEqualTo(g);
            assertThat(LibC.mprotect(addr, page, LibC.PROT_READ | LibC.PROT_WRITE)).isEqualTo(-1);
            assertThat(LibC.errno()).isEqualTo(Errno.EACCES);
        } finally {
            LibC.munmap(addr, page);
        }
    }

    // ---- the epoll loop on this device -------------------------------------------------------

    /**
     * The loop takes a change from the mapped counter when it differs from the watcher's last
     * acknowledgement; a counter that wrapped around to that very value must still reach the
     * listener (the loop asks read(2) then), or the watcher would stay outdated for good.
     */
    @Test
    void theLoopDeliversACounterThatWrappedBackToTheAcknowledgedValue() throws Exception {
        if (device.currentGeneration() != top()) {
            overseer.trigger(top());
        }
        overseer.trigger(); // wraps to a small value, so coming back to it takes few bumps
        java.util.concurrent.BlockingQueue<Integer> seen = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService listeners = java.util.concurrent.Executors.newSingleThreadExecutor();
        Watcher w = device.openWatcher();
        w.setTracking(true);
        LoopRegistration reg = device.loop().register(w, listeners, (r, gen) -> {
            seen.add(gen);
            if (gen == top()) {
                try {
                    release.await(30, TimeUnit.SECONDS); // hold while the counter wraps around
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            r.acknowledge(gen);
        });
        try {
            int g1 = overseer.trigger();
            assertThat(seen.poll(30, TimeUnit.SECONDS)).isEqualTo(g1);
            assertThat(overseer.awaitWatchers(Duration.ofSeconds(30)).allAcknowledged()).isTrue();
            overseer.trigger(top());
            assertThat(seen.poll(30, TimeUnit.SECONDS)).isEqualTo(top());
            int g = 0;
            while (g != g1) {
                g = overseer.trigger();
            }
            release.countDown(); // its ack of 0xFFFFFFFF is stale now: the loop looks again
            assertThat(seen.poll(30, TimeUnit.SECONDS)).isEqualTo(g1);
            assertThat(overseer.awaitWatchers(Duration.ofSeconds(30)).allAcknowledged()).isTrue();
            assertThat(w.isOutdated()).isFalse();
        } finally {
            release.countDown();
            reg.close();
            listeners.shutdownNow();
        }
    }

    // ---- close ------------------------------------------------------------------------------

    @Test
    void closeIsIdempotentAndUseAfterCloseIsATypedError() {
        Watcher w = device.openWatcher();
        w.close();
        w.close();
        assertThat(w.isClosed()).isTrue();
        assertThatThrownBy(() -> w.acknowledge(0)).isInstanceOf(WatcherClosedException.class);
        assertThatThrownBy(w::tryRead).isInstanceOf(WatcherClosedException.class);
        assertThatThrownBy(() -> w.setTracking(true)).isInstanceOf(WatcherClosedException.class);
    }

    /**
     * Closing the device releases what it holds itself; what it handed out stays usable until
     * its owner closes it (on the real device they are independent files), and the closed
     * device hands out nothing more: a typed error says so.
     */
    @Test
    void aClosedDeviceRefusesNewFilesButWhatItHandedOutWorksUntilClosed() throws Exception {
        Watcher w = device.openWatcher();
        GenerationProbe probe = device.mapProbe();
        try {
            device.close();
            assertThatThrownBy(device::openWatcher).isInstanceOf(WatcherClosedException.class)
                    .hasMessageContaining("device").hasMessageContaining("new device");
            assertThatThrownBy(device::overseer).isInstanceOf(WatcherClosedException.class);
            assertThatThrownBy(device::mapProbe).isInstanceOf(WatcherClosedException.class);
            assertThatThrownBy(device::loop).isInstanceOf(WatcherClosedException.class);
            int g = overseer.trigger();
            assertThat(probe.generation()).isEqualTo(g);
            assertThat(w.tryRead()).hasValue(g);
            assertThat(w.acknowledge(g)).isEqualTo(AckResult.ACKNOWLEDGED);
            w.setTracking(true);
            int h = overseer.trigger();
            assertThat(overseer.awaitWatchers(Duration.ofMillis(50)).outcome()).isEqualTo(WaitResult.Outcome.TIMED_OUT);
            assertThat(w.acknowledge(h)).isEqualTo(AckResult.ACKNOWLEDGED);
            assertThat(overseer.awaitWatchers(Duration.ofSeconds(5)).allAcknowledged()).isTrue();
        } finally {
            w.close();
            probe.close();
        }
    }

    /**
     * An overseer opened before the device's close keeps working: also where its own file is up
     * to date, and so has nothing to read (a catch-up with nothing new, a trigger that left the
     * counter where it was or that another thread caught up with already).
     */
    @Test
    void anOverseerUpToDateKeepsWorkingAfterTheDeviceIsClosed() throws Exception {
        int g = overseer.trigger();
        device.close();
        assertThat(overseer.catchUp()).isEqualTo(g);
        int h = overseer.trigger();
        assertThat(overseer.catchUp()).isEqualTo(h);
        assertThat(overseer.awaitLatestGeneration(Duration.ofSeconds(5)).allAcknowledged()).isTrue();
        assertThat(overseer.restoreCycle(0, Duration.ofSeconds(5)).allAcknowledged()).isTrue();
    }

    /**
     * Closing a watcher that a loop serves ends that registration, as closing the registration
     * does: it stops counting for the overseer at once (tracking off), the listener is not called
     * any more, and the fd goes.
     */
    @Test
    void closingARegisteredWatcherEndsItsRegistration() throws Exception {
        Watcher w = device.openWatcher();
        w.setTracking(true);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        LoopRegistration reg = device.loop().register(w, Runnable::run, (r, gen) -> calls.incrementAndGet());
        w.close();
        assertThat(w.isClosed()).isTrue();
        assertThat(reg.isClosed()).as("the registration ended with its watcher").isTrue();
        assertThat(driverCounts().trackedWatchers()).as("tracked watchers right after close").isZero();
        overseer.trigger();
        assertThat(overseer.awaitWatchers(Duration.ofSeconds(5)).allAcknowledged())
                .as("the overseer does not wait for the closed watcher").isTrue();
        assertThat(calls).hasValue(0);
    }

    private CompletableFuture<WaitResult> waitAsync(Duration timeout) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return overseer.awaitWatchers(timeout);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
