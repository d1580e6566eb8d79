/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.sysgenid.AckResult;
import dev.sysgenid.DeviceIoException;
import reactor.test.StepVerifier;

/** {@link Generation#ack()}'s handle: written once, and only once it was written. */
class PendingAckTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Fails the first write (a device error), accepts the later ones, and records each. */
    private static final class FlakyTarget implements PendingAck.Target {
        final List<Integer> writes = new CopyOnWriteArrayList<>();

        @Override
        public AckResult acknowledge(int generation, boolean rekeyed) {
            writes.add(generation);
            if (writes.size() == 1) {
                throw new DeviceIoException("write(ack) failed: EIO", 5);
            }
            return AckResult.ACKNOWLEDGED;
        }
    }

    @Test
    void aFailedWriteIsNotRememberedAsWrittenSoTheNextAckWritesAgain() {
        FlakyTarget target = new FlakyTarget();
        PendingAck ack = new PendingAck(target, 42);
        StepVerifier.create(ack).expectError(DeviceIoException.class).verify(WAIT);
        StepVerifier.create(ack).expectComplete().verify(WAIT);
        assertThat(target.writes).containsExactly(42, 42);
        assertThat(ack.write()).isEqualTo(AckResult.ACKNOWLEDGED);
        assertThat(target.writes).as("written once it succeeded, never again").hasSize(2);
    }

    @Test
    void aSuccessfulWriteIsMadeOnce() {
        List<Integer> writes = new CopyOnWriteArrayList<>();
        PendingAck ack = new PendingAck((g, rekeyed) -> {
            writes.add(g);
            return AckResult.STALE;
        }, 7);
        StepVerifier.create(ack).expectComplete().verify(WAIT);
        StepVerifier.create(ack).expectComplete().verify(WAIT);
        assertThat(ack.skip()).isEqualTo(AckResult.STALE);
        assertThat(writes).containsExactly(7);
    }
}
