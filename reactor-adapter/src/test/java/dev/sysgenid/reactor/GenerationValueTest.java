/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.sysgenid.AckResult;
import reactor.test.StepVerifier;

/** {@link Generation} is a value: its acknowledgement goes with it but is not part of it. */
class GenerationValueTest {

    private static final Instant AT = Instant.parse("2026-11-29T00:00:00Z");

    @Test
    void twoObservationsOfTheSameChangeAreEqualWhateverTheirAcknowledgements() {
        int[] written = new int[1];
        PendingAck.Target target = (generation, rekeyed) -> {
            written[0]++;
            return AckResult.ACKNOWLEDGED;
        };
        Generation a = new Generation(7, "simulated", AT, 6, false, new PendingAck(target, 7));
        Generation b = new Generation(7, "simulated", AT, 6, false, new PendingAck(target, 7));
        Generation plain = new Generation(7, "simulated", AT, 6, false);
        assertThat(a).isEqualTo(b).isEqualTo(plain).hasSameHashCodeAs(plain);
        assertThat(a.ack()).isNotSameAs(b.ack());
        StepVerifier.create(a.ack()).verifyComplete();
        assertThat(written[0]).as("a's acknowledgement wrote").isEqualTo(1);
        StepVerifier.create(plain.ack()).verifyComplete();
        assertThat(written[0]).as("a plain value writes nothing").isEqualTo(1);
    }

    @Test
    void initialIsWhatTheSubscriptionSaysNotInferredFromTheValues() {
        // after the counter went round (or on a driver whose counter restarts), a change may
        // carry the value its subscription had acknowledged before
        Generation change = new Generation(5, "simulated", AT, 5, false);
        assertThat(change.isInitial()).isFalse();
        assertThat(change.toString()).contains("previous 5").doesNotContain("initial");
        Generation initial = new Generation(5, "simulated", AT, 5, true);
        assertThat(initial.isInitial()).isTrue();
        assertThat(initial).isNotEqualTo(change);
    }
}
