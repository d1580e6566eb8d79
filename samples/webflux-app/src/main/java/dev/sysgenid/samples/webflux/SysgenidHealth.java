/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.webflux;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.stereotype.Component;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.SysgenidException;
import dev.sysgenid.WatcherCounts;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The generation state in {@code /actuator/health} (component {@code sysgenid}) and {@code
 * /actuator/info} (key {@code sysgenid}): device, simulated or real, generation, tracked and
 * outdated watcher counts, and the key in use. Health is DOWN while the tracked subscription is
 * not in place (a rotation failed and it is being re-made).
 */
@Component("sysgenid")
class SysgenidHealth implements ReactiveHealthIndicator, InfoContributor {

    private final GenerationDevice device;
    private final KeyRing keys;
    private final GenerationRotator rotator;

    SysgenidHealth(GenerationDevice device, KeyRing keys, GenerationRotator rotator) {
        this.device = device;
        this.keys = keys;
        this.rotator = rotator;
    }

    @Override
    public Mono<Health> health() {
        // the real device's counts are read from the driver: keep that off the event loop
        return Mono.fromCallable(() -> {
            Health.Builder b = rotator.isSubscribed() ? Health.up() : Health.down();
            b.withDetails(details());
            b.withDetail("subscribed", rotator.isSubscribed());
            if (rotator.lastError() != null) {
                b.withDetail("lastError", String.valueOf(rotator.lastError()));
            }
            return b.build();
        }).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public void contribute(Info.Builder builder) {
        builder.withDetail("sysgenid", details());
    }

    private Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        Epoch e = keys.epoch();
        long generation = Integer.toUnsignedLong(device.currentGeneration());
        d.put("device", device.name());
        d.put("simulated", device.isSimulated());
        d.put("driver", device.driver().description());
        d.put("generation", generation);
        try {
            Optional<WatcherCounts> counts = device.counts();
            if (counts.isPresent()) {
                d.put("trackedWatchers", counts.get().trackedWatchers());
                d.put("outdatedWatchers", counts.get().outdatedWatchers());
            } else {
                d.put("counts", "not reported by this driver");
            }
        } catch (SysgenidException ex) {
            d.put("counts", "unavailable: " + ex.getMessage());
        }
        d.put("keyId", e.keyId());
        d.put("keyGeneration", e.generationValue());
        d.put("rotations", e.rotation());
        d.put("keyRotatedAt", e.rotatedAt().toString());
        d.put("rotationPending", e.generationValue() != generation);
        return d;
    }
}
