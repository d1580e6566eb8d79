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
 * simulated device (in {@code mvn verify}) and the real module (in the QEMU guest), so the two
 * cannot drift. Tests never assume a starting generation: the real counter is system-wide.
 */
public abstract class DeviceContract {

    protected GenerationDevice device;
    protected Overseer overseer;

    /** The device under test, fresh for each test. */
    protected abstract GenerationDevice openDevice();

    /** Runs {@code body} as a caller without the capability TRIGGER needs. */
    protected abstract void withoutTriggerCapability(Runnable body);

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
            edges.add(fd);
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
            edges.remove(fd);
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
            assertThat(r.outdatedWatchers()).isEqualTo(1);
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
            int before = device.counts().outdatedWatchers();
            int g = overseer.trigger();
            assertThat(overseer.awaitWatchers(Duration.ofSeconds(5)).allAcknowledged()).isTrue();
            w.setTracking(true);
            assertThat(device.counts().outdatedWatchers()).isEqualTo(before + 1);
            assertThat(overseer.awaitWatchers(Duration.ofMillis(200)).outcome()).isEqualTo(WaitResult.Outcome.TIMED_OUT);
            w.setTracking(false);
            assertThat(device.counts().outdatedWatchers()).isEqualTo(before);
            assertThat(overseer.awaitWatchers(Duration.ofSeconds(5)).allAcknowledged()).isTrue();
            w.acknowledge(g);
        }
    }

    @Test
    void countsFollowTrackingAndClose() {
        WatcherCounts start = device.counts();
        Watcher a = device.openWatcher();
        Watcher b = device.openWatcher();
        a.setTracking(true);
        b.setTracking(true);
        assertThat(device.counts().trackedWatchers()).isEqualTo(start.trackedWatchers() + 2);
        int g = overseer.trigger();
        assertThat(device.counts().outdatedWatchers()).isEqualTo(start.outdatedWatchers() + 2);
        assertThat(device.counts().generation()).isEqualTo(g);
        a.acknowledge(g);
        assertThat(device.counts().outdatedWatchers()).isEqualTo(start.outdatedWatchers() + 1);
        b.close();
        a.close();
        assertThat(device.counts().trackedWatchers()).isEqualTo(start.trackedWatchers());
        assertThat(device.counts().outdatedWatchers()).isEqualTo(start.outdatedWatchers());
    }

    // ---- TRIGGER ----------------------------------------------------------------------------

    @Test
    void triggerMovesToMaxOfMinimumAndCurrentPlusOne() {
        int c = overseer.trigger();
        if (Integer.compareUnsigned(c, 0xFFFF_0000) > 0) {
            c = overseer.trigger(0); // leave the wrap zone so c + 10 does not wrap
            c = overseer.trigger(0);
        }
        assertThat(overseer.trigger(c + 10)).isEqualTo(c + 10);
        assertThat(overseer.trigger(c)).as("a minimum below the counter gives current + 1").isEqualTo(c + 11);
        assertThat(overseer.trigger(0)).isEqualTo(c + 12);
    }

    @Test
    void theCounterStillMovesAcrossTheSignedBoundaryAndWraps() {
        if (Integer.compareUnsigned(device.currentGeneration(), 0x7FFF_FFFE) < 0) {
            assertThat(overseer.trigger(0x7FFF_FFFE)).isEqualTo(0x7FFF_FFFE);
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

    @Test
    void triggerAtTheTopWithTheTopAsMinimumStillMoves() {
        if (device.currentGeneration() != 0xFFFF_FFFF) {
            overseer.trigger(0xFFFF_FFFF);
        }
        int g = overseer.trigger(0xFFFF_FFFF);
        assertThat(g).isNotEqualTo(0xFFFF_FFFF);
        overseer.trigger(0);
    }

    @Test
    void triggerWithoutTheCapabilityIsATypedError() {
        int before = device.currentGeneration();
        withoutTriggerCapability(() -> {
            try (Overseer unprivileged = device.overseer()) {
                assertThatThrownBy(unprivileged::trigger)
                        .isInstanceOf(MissingCapabilityException.class)
                        .hasMessageContaining("CAP_CHECKPOINT_RESTORE");
            }
        });
        assertThat(device.currentGeneration()).isEqualTo(before);
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
        long page = dev.sysgenid.internal.Fds.pageSize();
        assertThat(d.mapRaw(page, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, 0)).isEqualTo(-Errno.EPERM);
        assertThat(d.mapRaw(page, LibC.PROT_READ, LibC.MAP_SHARED, page)).isEqualTo(-Errno.EINVAL);
        assertThat(d.mapRaw(2 * page, LibC.PROT_READ, LibC.MAP_SHARED, 0)).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void aReadOnlyMappingCannotBeMadeWritable() {
        assertFollowsTheCounterAndCannotBeMadeWritable(LibC.MAP_SHARED);
    }

    /** The driver checks offset and size before the protection: a bad writable mapping is EINVAL. */
    @Test
    void aWritableMappingAtABadOffsetOrSizeIsEinvalBeforeEperm() {
        BackedDevice d = (BackedDevice) device;
        long page = dev.sysgenid.internal.Fds.pageSize();
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
        long page = dev.sysgenid.internal.Fds.pageSize();
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
        if (device.currentGeneration() != 0xFFFF_FFFF) {
            overseer.trigger(0xFFFF_FFFF);
        }
        overseer.trigger(); // wraps to a small value, so coming back to it takes few bumps
        java.util.concurrent.BlockingQueue<Integer> seen = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService listeners = java.util.concurrent.Executors.newSingleThreadExecutor();
        Watcher w = device.openWatcher();
        w.setTracking(true);
        LoopRegistration reg = device.loop().register(w, listeners, (r, gen) -> {
            seen.add(gen);
            if (gen == 0xFFFF_FFFF) {
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
            overseer.trigger(0xFFFF_FFFF);
            assertThat(seen.poll(30, TimeUnit.SECONDS)).isEqualTo(0xFFFF_FFFF);
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
