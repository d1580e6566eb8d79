/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** Adversarial review of issue 16: the loop's shutdown still runs its inbox until it is empty. */
class R16bShutdownRearmTest {

    /**
     * An application thread acknowledges in every ADD window of a registration on the
     * production driver (the hook plays it deterministically, as the stale-acknowledgement
     * test of LoopRearmOnProductionDriverTest does). Each such acknowledgement takes the mark
     * and queues one re-arm; a turn runs only one, but the shutdown's {@code inbox.runAll()}
     * runs the re-arm, whose ADD queues the next, for ever: close() never returns.
     */
    @Test
    void closeReturnsWhileAcknowledgementsLandInEveryAddWindow() throws Exception {
        AtomicReference<Watcher> target = new AtomicReference<>();
        AtomicBoolean hammer = new AtomicBoolean(true);
        try (AddHookDevice hooked = AddHookDevice.create(() -> {
            Watcher t = target.get();
            if (hammer.get() && t != null && !t.isClosed()) {
                try {
                    t.acknowledge(0); // the current generation: written, it takes the mark
                } catch (WatcherClosedException ignored) {
                    // closed meanwhile
                }
            }
        })) {
            EpollLoop loop = hooked.loop();
            Watcher t = hooked.openWatcher();
            target.set(t);
            loop.register(t, Runnable::run, (r, g) -> r.acknowledge(g));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (loop.rearmCount() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(loop.rearmCount()).as("acknowledgements land in the ADD windows").isGreaterThanOrEqualTo(3);
            Thread closer = new Thread(loop::close, "closer");
            closer.start();
            try {
                closer.join(TimeUnit.SECONDS.toMillis(5));
                assertThat(closer.isAlive()).as("loop.close() returned (re-arms so far: " + loop.rearmCount()
                        + "); the loop thread is at " + loopStack())
                        .isFalse();
            } finally {
                hammer.set(false); // lets a hung shutdown finish
                closer.join();
            }
        }
    }

    private static String loopStack() {
        StringBuilder out = new StringBuilder();
        Thread.getAllStackTraces().forEach((th, stack) -> {
            if (th.getName().startsWith("sysgenid-epoll[")) {
                for (int i = 0; i < Math.min(12, stack.length); i++) {
                    out.append("\n    ").append(stack[i]);
                }
            }
        });
        return out.toString();
    }
}
