/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.SimulatedDevice;

/** Key ring and tokens without Spring, on a simulated device with no subscription at all. */
class TokenServiceTest {

    final SimulatedDevice device = GenerationDevice.simulated();
    final KeyRing keys = new KeyRing(device, List.of());
    final TokenService tokens = new TokenService(keys);

    @AfterEach
    void close() {
        device.close();
    }

    @Test
    void verifiesItsOwnTokensAndRejectsForeignOnes() {
        TokenService.IssuedToken t = tokens.issue("carol").block();
        TokenService.Verification v = tokens.verify(t.token()).block();
        assertThat(v.valid()).isTrue();
        assertThat(v.subject()).isEqualTo("carol");
        assertThat(v.generation()).isZero();

        TokenService other = new TokenService(new KeyRing(device, List.of()));
        TokenService.IssuedToken foreign = other.issue("carol").block();
        assertThat(tokens.verify(foreign.token()).block().reason())
                .isEqualTo(TokenService.Verification.Reason.UNKNOWN_KEY);
        assertThat(tokens.verify(t.token() + "x").block().reason())
                .isEqualTo(TokenService.Verification.Reason.BAD_SIGNATURE);
        assertThat(tokens.verify("v1.a.b").block().reason()).isEqualTo(TokenService.Verification.Reason.MALFORMED);
    }

    @Test
    void withoutAnySubscriptionTheNextIssuanceRotatesJustInTime() {
        TokenService.IssuedToken before = tokens.issue("dave").block();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            ids.add(keys.issueId().block().id());
        }
        KeyRing.MemoryImage snapshot = keys.memoryImage();
        device.bump();
        keys.reinstate(snapshot); // memory as before, generation moved

        KeyRing.IssuedId id = keys.issueId().block();
        assertThat(ids).doesNotContain(id.id());
        assertThat(id.generation()).isEqualTo(1);
        assertThat(id.keyId()).isNotEqualTo(before.keyId());
        assertThat(keys.epoch().rotation()).isEqualTo(1);
        assertThat(tokens.verify(before.token()).block().reason())
                .isEqualTo(TokenService.Verification.Reason.KEY_RETIRED);
    }

    @Test
    void aRotationIsIdempotentPerGeneration() {
        Epoch e = keys.epoch();
        assertThat(keys.rotateToCurrent()).isSameAs(e);
        device.bump();
        Epoch next = keys.rotateToCurrent();
        assertThat(next).isNotSameAs(e);
        assertThat(keys.rotateToCurrent()).isSameAs(next);
        assertThat(next.idPrefix()).isNotEqualTo(e.idPrefix());
        assertThat(next.previousGeneration()).isEqualTo(e.generation());
    }
}
