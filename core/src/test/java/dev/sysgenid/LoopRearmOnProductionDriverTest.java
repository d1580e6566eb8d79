/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link LoopRearmTest} on a simulated device that behaves as the production driver. */
class LoopRearmOnProductionDriverTest extends LoopRearmTest {

    @Override
    protected DriverProfile profile() {
        return DriverProfile.PRODUCTION;
    }

    /**
     * The acknowledgement lands between the loop's ADD (made while outdated) and its look at
     * the watcher, which then finds it up to date: the loop must still count that ADD as made
     * while outdated, and re-arm. The loop is held right after the ADD by a hook of the device
     * file, and the application acknowledges from this thread meanwhile.
     */
    @ParameterizedTest
    @EnumSource(AckPath.class)
    void anAcknowledgementBetweenTheAddAndTheLoopsLookStillLeadsToAReArm(AckPath path) throws Exception {
        Semaphore atAdd = new Semaphore(0);
        Semaphore proceed = new Semaphore(0);
        AtomicBoolean hold = new AtomicBoolean(true);
        try (AddHookDevice hooked = AddHookDevice.create(() -> {
            if (hold.compareAndSet(true, false)) {
                atAdd.release();
                proceed.acquireUninterruptibly();
            }
        })) {
            Watcher w = hooked.openWatcher();
            int g1 = hooked.bump();
            BlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
            LoopRegistration reg = hooked.loop().register(w, executor, (r, g) -> {
                seen.add(g);
                r.acknowledge(g);
            });
            assertThat(atAdd.tryAcquire(5, TimeUnit.SECONDS)).as("the loop added W and holds").isTrue();
            assertThat(path.acknowledge(reg, g1)).isEqualTo(AckResult.ACKNOWLEDGED);
            proceed.release();
            loopHasCaughtUp(hooked, executor); // the loop has looked at the edge of W's ADD
            int g2 = hooked.bump();
            Integer got = seen.poll(5, TimeUnit.SECONDS);
            while (got != null && got != g2) {
                got = seen.poll(5, TimeUnit.SECONDS);
            }
            assertThat(got).as("W's listener gets the change after the acknowledgement").isEqualTo(g2);
            reg.close();
        }
    }
}
