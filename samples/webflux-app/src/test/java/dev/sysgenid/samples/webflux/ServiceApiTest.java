/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.SimulatedDevice;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The HTTP API on the simulated device, end to end through the server. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "sysgenid.mode=simulated")
@AutoConfigureWebTestClient
class ServiceApiTest {

    @Autowired
    WebTestClient client;

    @Autowired
    GenerationDevice device;

    @Autowired
    KeyRing keys;

    SimulatedDevice simulated() {
        return (SimulatedDevice) device;
    }

    KeyRing.IssuedId id() {
        return client.post().uri("/ids").exchange().expectStatus().isOk()
                .expectBody(KeyRing.IssuedId.class).returnResult().getResponseBody();
    }

    TokenService.IssuedToken token(String subject) {
        return client.post().uri(b -> b.path("/tokens").queryParam("subject", subject).build()).exchange()
                .expectStatus().isOk().expectBody(TokenService.IssuedToken.class).returnResult().getResponseBody();
    }

    WebTestClient.ResponseSpec verify(String token) {
        return client.get().uri(b -> b.path("/tokens/verify").queryParam("token", token).build()).exchange();
    }

    @Test
    void idsAreUniqueAndCarryTheCurrentGeneration() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            KeyRing.IssuedId id = i % 2 == 0 ? id()
                    : client.get().uri("/ids").exchange().expectStatus().isOk()
                            .expectBody(KeyRing.IssuedId.class).returnResult().getResponseBody();
            assertThat(seen.add(id.id())).as("unique: %s", id.id()).isTrue();
            assertThat(id.generation()).isEqualTo(Integer.toUnsignedLong(device.currentGeneration()));
            assertThat(id.keyId()).isEqualTo(keys.epoch().keyId());
        }
    }

    @Test
    void aTokenVerifiesUnderTheCurrentKeyAndATamperedOneDoesNot() {
        TokenService.IssuedToken t = token("alice");
        assertThat(t.keyId()).isEqualTo(keys.epoch().keyId());
        verify(t.token()).expectStatus().isOk().expectBody()
                .jsonPath("$.valid").isEqualTo(true)
                .jsonPath("$.subject").isEqualTo("alice")
                .jsonPath("$.tokenId").isEqualTo(t.tokenId());

        String sig = t.token().substring(t.token().lastIndexOf('.') + 1);
        String tampered = t.token().replace(".YWxpY2U.", ".bWFsbG9yeQ."); // subject alice -> mallory
        assertThat(tampered).isNotEqualTo(t.token()).endsWith(sig);
        verify(tampered).expectStatus().isUnauthorized().expectBody()
                .jsonPath("$.valid").isEqualTo(false)
                .jsonPath("$.reason").isEqualTo("BAD_SIGNATURE");
        verify("not-a-token").expectStatus().isUnauthorized().expectBody()
                .jsonPath("$.reason").isEqualTo("MALFORMED");
    }

    /**
     * The snapshot scenario: the service's memory is put back to what it was at a snapshot (the
     * key, the ID prefix, the counter), as a restore does, and the counter moves. Without the
     * device the service would now hand out exactly the IDs it handed out after the snapshot
     * (the control shows that); with it, nothing drawn before the restore comes back, the key
     * id changed, and tokens signed before the restore no longer verify.
     */
    @Test
    void afterARestoreNoIdOrTokenFromBeforeIsIssuedAgain() {
        KeyRing.MemoryImage snapshot = keys.memoryImage();
        String oldKey = snapshot.epoch().keyId();
        List<String> afterSnapshot = Flux.range(0, 20).map(i -> id().id()).collectList().block();
        TokenService.IssuedToken oldToken = token("bob");

        // control: the same memory without a generation change repeats itself
        keys.reinstate(snapshot);
        assertThat(id().id()).isEqualTo(afterSnapshot.get(0));

        // the restore: memory as at the snapshot, and the hypervisor moves the counter
        keys.reinstate(snapshot);
        int before = device.currentGeneration();
        int after = simulated().bump();

        Set<String> drawnBefore = new HashSet<>(afterSnapshot);
        drawnBefore.add(oldToken.tokenId());
        // at once, whether or not the tracked subscription has rotated yet
        for (int i = 0; i < 20; i++) {
            KeyRing.IssuedId id = id();
            assertThat(drawnBefore).as("re-issued after restore").doesNotContain(id.id());
            assertThat(id.generation()).isEqualTo(Integer.toUnsignedLong(after));
            assertThat(id.keyId()).isNotEqualTo(oldKey);
        }
        TokenService.IssuedToken newToken = token("bob");
        assertThat(newToken.keyId()).isNotEqualTo(oldKey);
        assertThat(newToken.generation()).isEqualTo(Integer.toUnsignedLong(after));
        assertThat(drawnBefore).doesNotContain(newToken.tokenId());
        assertThat(after).isNotEqualTo(before);

        // policy: tokens signed before the restore are refused, and say why
        verify(oldToken.token()).expectStatus().isUnauthorized().expectBody()
                .jsonPath("$.reason").isEqualTo("KEY_RETIRED")
                .jsonPath("$.keyId").isEqualTo(oldKey);
        verify(newToken.token()).expectStatus().isOk().expectBody().jsonPath("$.valid").isEqualTo(true);
    }

    @Test
    void simulatedRestoreWaitsForTheRotationAndReportsTheNewKey() {
        String oldKey = keys.epoch().keyId();
        long before = Integer.toUnsignedLong(device.currentGeneration());
        client.post().uri("/simulate/restore").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.outcome").isEqualTo("ALL_ACKNOWLEDGED")
                .jsonPath("$.previousGeneration").isEqualTo(before)
                .jsonPath("$.generation").isEqualTo(before + 1)
                .jsonPath("$.keyGeneration").isEqualTo(before + 1)
                .jsonPath("$.keyIdBefore").isEqualTo(oldKey)
                .jsonPath("$.keyId").value(k -> assertThat(k).isNotEqualTo(oldKey));
    }

    @Test
    void theGenerationStreamEmitsTheNewGenerationAfterARestore() {
        Flux<GenerationEvent> events = client.get().uri("/generations").accept(MediaType.TEXT_EVENT_STREAM)
                .exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<GenerationEvent>>() {
                })
                .getResponseBody()
                .doOnNext(sse -> assertThat(sse.event()).isEqualTo("generation"))
                .map(ServerSentEvent::data);
        long current = Integer.toUnsignedLong(device.currentGeneration());
        String currentKey = keys.epoch().keyId();
        int[] bumped = new int[1];

        StepVerifier.create(events)
                .assertNext(e -> {
                    assertThat(e.generation()).isEqualTo(current);
                    assertThat(e.keyId()).isEqualTo(currentKey);
                    assertThat(e.device()).isEqualTo("simulated");
                })
                .then(() -> bumped[0] = simulated().bump()) // non-blocking: safe on the client's thread
                .assertNext(e -> {
                    assertThat(e.generation()).isEqualTo(Integer.toUnsignedLong(bumped[0]));
                    assertThat(e.previousGeneration()).isEqualTo(current);
                    assertThat(e.keyId()).isNotEqualTo(currentKey);
                    assertThat(e.rotatedAt()).isNotBlank();
                })
                .thenCancel()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void healthAndInfoShowTheGenerationAndThatTheDeviceIsSimulated() {
        long generation = Integer.toUnsignedLong(device.currentGeneration());
        client.get().uri("/actuator/health").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.components.sysgenid.status").isEqualTo("UP")
                .jsonPath("$.components.sysgenid.details.simulated").isEqualTo(true)
                .jsonPath("$.components.sysgenid.details.device").isEqualTo("simulated")
                .jsonPath("$.components.sysgenid.details.generation").isEqualTo(generation)
                .jsonPath("$.components.sysgenid.details.driver").isEqualTo(device.driver().description())
                .jsonPath("$.components.sysgenid.details.subscribed").isEqualTo(true)
                .jsonPath("$.components.sysgenid.details.keyId").isEqualTo(keys.epoch().keyId());
        client.get().uri("/actuator/info").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.sysgenid.simulated").isEqualTo(true)
                .jsonPath("$.sysgenid.driver").isEqualTo(device.driver().description())
                .jsonPath("$.sysgenid.generation").isEqualTo(generation)
                .jsonPath("$.sysgenid.keyId").isEqualTo(keys.epoch().keyId());
    }

    @Test
    void healthShowsTheCountsWhereTheDriverReportsThem() {
        WebTestClient.BodyContentSpec body = client.get().uri("/actuator/health").exchange().expectStatus().isOk().expectBody();
        if (device.counts().isPresent()) {
            body.jsonPath("$.components.sysgenid.details.trackedWatchers").isEqualTo(1)
                    .jsonPath("$.components.sysgenid.details.outdatedWatchers").isEqualTo(0);
        } else {
            body.jsonPath("$.components.sysgenid.details.trackedWatchers").doesNotExist()
                    .jsonPath("$.components.sysgenid.details.counts").isEqualTo("not reported by this driver");
        }
    }
}
