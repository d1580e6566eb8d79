/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.WaitResult;
import dev.sysgenid.reactor.ReactiveGenerations;
import dev.sysgenid.reactor.ReactiveOverseer;

/**
 * The overseer's wait ends only after the key was rotated: rotation is made slow (400 ms) and
 * observable, and the order of the two events is asserted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "sysgenid.mode=simulated")
@Import(RotationOrderTest.SlowRotation.class)
class RotationOrderTest {

    static final long ROTATION_MILLIS = 400;

    @TestConfiguration(proxyBeanMethods = false)
    static class SlowRotation {
        @Bean
        Recorder recorder() {
            return new Recorder();
        }
    }

    /** Sleeps in every rotation and records when and where it completed. */
    static final class Recorder implements RotationObserver {
        final AtomicLong rotatedAtNanos = new AtomicLong();
        final AtomicReference<String> thread = new AtomicReference<>();
        final AtomicReference<Epoch> rotatedTo = new AtomicReference<>();

        @Override
        public void beforeRotation(Epoch current, int toGeneration) {
            try {
                Thread.sleep(ROTATION_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void afterRotation(Epoch previous, Epoch next) {
            rotatedTo.set(next);
            thread.set(Thread.currentThread().getName());
            rotatedAtNanos.set(System.nanoTime());
        }
    }

    @Autowired
    ReactiveGenerations generations;

    @Autowired
    GenerationDevice device;

    @Autowired
    KeyRing keys;

    @Autowired
    Recorder recorder;

    record Observed(WaitResult result, long atNanos, Epoch epochThen) {
    }

    @Test
    void theOverseersWaitReturnsOnlyAfterTheKeyWasRotated() {
        String oldKey = keys.epoch().keyId();
        long start = System.nanoTime();
        Observed o;
        try (ReactiveOverseer overseer = generations.overseer()) {
            o = overseer.restoreCycle(Duration.ofSeconds(10))
                    .map(r -> new Observed(r, System.nanoTime(), keys.epoch()))
                    .block(Duration.ofSeconds(15));
        }
        int now = device.currentGeneration();

        assertThat(o.result().outcome()).isEqualTo(WaitResult.Outcome.ALL_ACKNOWLEDGED);
        assertThat(recorder.rotatedTo.get()).isNotNull();
        assertThat(recorder.rotatedTo.get().generation()).isEqualTo(now);
        // the rotation completed before the wait returned ...
        assertThat(recorder.rotatedAtNanos.get()).isLessThan(o.atNanos());
        // ... and when it returned, the service was already using the new key
        assertThat(o.epochThen().generation()).isEqualTo(now);
        assertThat(o.epochThen().keyId()).isNotEqualTo(oldKey).isEqualTo(recorder.rotatedTo.get().keyId());
        // the wait did wait for the slow rotation
        assertThat(Duration.ofNanos(o.atNanos() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(ROTATION_MILLIS));
        // rotation (which blocks) ran off the event loops
        assertThat(recorder.thread.get()).startsWith("boundedElastic");
    }
}
