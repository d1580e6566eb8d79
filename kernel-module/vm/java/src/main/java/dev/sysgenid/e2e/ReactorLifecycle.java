/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.Overseer;
import dev.sysgenid.SysgenidException;
import dev.sysgenid.WaitResult;
import dev.sysgenid.WatcherCounts;
import dev.sysgenid.reactor.Generation;
import dev.sysgenid.reactor.GenerationOptions;
import dev.sysgenid.reactor.ReactiveGenerations;
import reactor.core.Disposable;

/**
 * reactor-adapter's subscription lifecycle on the real device: tracked subscription, cancel,
 * error (device closed; subscriber throws), stale acknowledgement, conflation. Judged through
 * the library: the subscriber's signals and the overseer's wait on any driver, and in addition
 * the driver's counts where it reports them (this project's module; {@link
 * Checks#checkCounts}). Prints CHECK lines; exit 1 on any failure. Runs as root
 * (it triggers).
 */
public final class ReactorLifecycle {

    private static final Path DEVICE = Path.of("/dev/sysgenid");
    private static final GenerationOptions TRACKED = GenerationOptions.defaults().withTracked(true);

    private ReactorLifecycle() {
    }

    /** One subscription's signals. */
    static final class Sink {
        final BlockingQueue<Generation> items = new LinkedBlockingQueue<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();

        Generation next() throws InterruptedException {
            return items.poll(10, TimeUnit.SECONDS);
        }
    }

    public static void main(String[] args) {
        Checks c = new Checks();
        int jdk = Runtime.version().feature();
        String expected = jdk >= 22 ? "java.lang.foreign" : "JNA";
        String calls = GenerationDevice.systemCallInterface();
        c.check(calls.equals(expected), "core's data-path system calls (ack write, epoll_wait, read) go through "
                + calls + " on JDK " + jdk + " (expected " + expected + ")");
        try (GenerationDevice device = GenerationDevice.open(DEVICE); Overseer o = device.overseer()) {
            run(c, device, o);
        } catch (Throwable t) {
            c.fail("reactor lifecycle", t);
        }
        System.exit(c.exitCode());
    }

    private static Disposable subscribe(ReactiveGenerations gens, Sink s) {
        return gens.generations(TRACKED).subscribe(s.items::add, s.error::set);
    }

    private static boolean eventually(IntSupplier value, int expected) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (value.getAsInt() == expected) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    static void run(Checks c, GenerationDevice device, Overseer o) throws Exception {
        ReactiveGenerations gens = ReactiveGenerations.of(device);
        int base = device.counts().map(WatcherCounts::trackedWatchers).orElse(0);
        IntSupplier tracked = () -> device.counts().map(WatcherCounts::trackedWatchers).orElse(-1);
        IntSupplier outdated = () -> device.counts().map(WatcherCounts::outdatedWatchers).orElse(-1);
        OptionalInt one = device.counts().isPresent() ? OptionalInt.of(1) : OptionalInt.empty();

        // tracked subscription: counted from subscribe; holds the overseer until its ack
        Sink a = new Sink();
        Disposable da = subscribe(gens, a);
        c.checkCounts(device, () -> eventually(tracked, base + 1), () -> "tracked subscription: the driver tracks it at once ("
                + device.counts() + ")");
        int g1 = o.trigger();
        Generation e1 = a.next();
        c.check(e1 != null && e1.value() == g1, "tracked subscription: onNext with the triggered generation " + e1);
        WaitResult before = o.awaitWatchers(Duration.ofMillis(300));
        c.check(!before.allAcknowledged() && before.outdatedWatchers().equals(one),
                "tracked subscription: before its ack the overseer's wait times out naming 1 outdated: " + before);
        e1.ack().block(Duration.ofSeconds(5));
        WaitResult after = o.awaitWatchers(Duration.ofSeconds(5));
        c.check(after.allAcknowledged(), "tracked subscription: after ack() the overseer's wait returns " + after);

        // stale ack and conflation: do not ack, the counter moves 3 more times
        int g2 = o.trigger();
        Generation e2 = a.next();
        c.check(e2 != null && e2.value() == g2 && e2.previous() == g1, "next change: " + e2 + " (previous " + g1 + ")");
        o.trigger();
        o.trigger();
        int g5 = o.trigger();
        Generation none = a.items.poll(500, TimeUnit.MILLISECONDS);
        c.check(none == null, "conflation: no element while the previous one is unacknowledged (" + none + ")");
        e2.ack().block(Duration.ofSeconds(5)); // stale: the counter is at g5 now
        c.check(a.error.get() == null, "stale ack: ack() of " + g2 + " after the counter moved to " + g5 + " completes normally");
        Generation e5 = a.next();
        Generation extra = a.items.poll(500, TimeUnit.MILLISECONDS);
        c.check(e5 != null && e5.value() == g5 && extra == null,
                "conflation: then exactly one element, the newest generation " + g5 + ": " + e5 + (extra != null ? " and " + extra : ""));
        c.checkCounts(device, () -> outdated.getAsInt() == 1, () -> "stale ack: the subscription still counts as outdated until"
                + " the newest is acked (" + device.counts() + ")");
        c.check(!o.awaitWatchers(Duration.ofMillis(100)).allAcknowledged(), "stale ack: the overseer still waits for the newest");
        e5.ack().block(Duration.ofSeconds(5));
        c.check(o.awaitWatchers(Duration.ofSeconds(5)).allAcknowledged(), "the ack of the newest releases the overseer");

        // cancel: an outdated tracked subscription that is cancelled stops holding the overseer
        o.trigger();
        Generation e6 = a.next();
        c.check(e6 != null, "cancel: an element before the cancel: " + e6);
        c.checkCounts(device, () -> outdated.getAsInt() == 1, () -> "cancel: outdated before cancel (" + device.counts() + ")");
        da.dispose();
        c.checkCounts(device, () -> eventually(tracked, base) && outdated.getAsInt() == 0, () -> "cancel: dispose() untracks and"
                + " closes the watcher (" + device.counts() + ")");
        c.check(o.awaitWatchers(Duration.ofSeconds(5)).allAcknowledged(), "cancel: the overseer's wait returns without an ack");

        // error 1: the subscriber's onNext throws: the subscription ends and its watcher closes
        AtomicReference<Throwable> err = new AtomicReference<>();
        gens.generations(TRACKED).subscribe(g -> {
            throw new IllegalStateException("subscriber bug (expected by the e2e test)");
        }, err::set);
        c.checkCounts(device, () -> eventually(tracked, base + 1), () -> "error in onNext: tracked while subscribed");
        o.trigger();
        c.checkCounts(device, () -> eventually(tracked, base), () -> "error in onNext: the watcher is closed after the throw ("
                + device.counts() + ", error " + err.get() + ")");
        c.check(o.awaitWatchers(Duration.ofSeconds(5)).allAcknowledged(), "error in onNext: the overseer is not held up");

        // error 2: the device (and its loop) closes under a tracked subscription: onError, fd closed
        GenerationDevice second = GenerationDevice.open(DEVICE);
        Sink b = new Sink();
        ReactiveGenerations.of(second).generations(TRACKED).subscribe(b.items::add, b.error::set);
        c.checkCounts(device, () -> eventually(tracked, base + 1), () -> "device closed: tracked while subscribed");
        second.close();
        c.checkCounts(device, () -> eventually(tracked, base), () -> "device closed: the watcher is closed (" + device.counts() + ")");
        for (int i = 0; i < 100 && b.error.get() == null; i++) {
            Thread.sleep(50);
        }
        c.check(b.error.get() instanceof SysgenidException, "device closed: the subscriber gets onError " + b.error.get());
        c.check(o.awaitWatchers(Duration.ofSeconds(5)).allAcknowledged(), "nothing left outdated: " + device.counts());
    }
}
