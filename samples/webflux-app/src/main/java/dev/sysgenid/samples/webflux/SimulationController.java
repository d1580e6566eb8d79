/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.webflux;

import java.time.Duration;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.annotation.Conditional;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.SimulatedDevice;
import dev.sysgenid.WaitResult;
import dev.sysgenid.reactor.ReactiveGenerations;
import dev.sysgenid.reactor.ReactiveOverseer;
import reactor.core.publisher.Mono;

/**
 * {@code POST /simulate/restore}: only on the simulated device (the bean does not exist on the
 * real one, so the path answers 404 there).
 */
@RestController
@Conditional(SimulatedDeviceCondition.class)
class SimulationController {

    private final GenerationDevice device;
    private final ReactiveGenerations generations;
    private final KeyRing keys;
    private final SysgenidProperties props;

    SimulationController(GenerationDevice device, ReactiveGenerations generations, KeyRing keys,
            SysgenidProperties props) {
        this.device = device;
        this.generations = generations;
        this.keys = keys;
        this.props = props;
    }

    /**
     * Simulates a restore. By default as an overseer does it: trigger a new generation, then wait
     * (off the event loop) until every tracked watcher, this service's included, has
     * acknowledged it; the answer therefore shows the rotated key. With {@code wait=false}, as
     * the hypervisor does it: the counter moves and nobody waits (the service still rotates
     * before it issues anything).
     *
     * @return 200 when all tracked watchers acknowledged (or {@code wait=false}), 504 when the
     *         wait timed out
     */
    @PostMapping("/simulate/restore")
    Mono<ResponseEntity<RestoreResult>> restore(@RequestParam(name = "wait", defaultValue = "true") boolean wait,
            @RequestParam(name = "timeout", required = false) String timeout) {
        if (!(device instanceof SimulatedDevice simulated)) {
            return Mono.just(ResponseEntity.status(HttpStatus.CONFLICT).build());
        }
        long before = Integer.toUnsignedLong(device.currentGeneration());
        String keyBefore = keys.epoch().keyId();
        if (!wait) {
            long now = Integer.toUnsignedLong(simulated.bump());
            return Mono.just(ResponseEntity.ok(new RestoreResult(before, now, "NOT_AWAITED", 0, 0, keyBefore,
                    keys.epoch().keyId(), keys.epoch().generationValue())));
        }
        Duration limit = timeout != null ? DurationStyle.detectAndParse(timeout) : props.restoreTimeout(); // 3s or PT3S
        long start = System.nanoTime();
        return Mono.using(generations::overseer, o -> o.restoreCycle(limit), ReactiveOverseer::close)
                .map(r -> {
                    Epoch e = keys.epoch();
                    RestoreResult body = new RestoreResult(before, Integer.toUnsignedLong(device.currentGeneration()),
                            r.outcome().name(), r.outdatedWatchers().isPresent() ? r.outdatedWatchers().getAsInt() : null,
                            (System.nanoTime() - start) / 1_000_000,
                            keyBefore, e.keyId(), e.generationValue());
                    return ResponseEntity.status(r.outcome() == WaitResult.Outcome.TIMED_OUT
                            ? HttpStatus.GATEWAY_TIMEOUT : HttpStatus.OK).body(body);
                });
    }

    /**
     * What a simulated restore did.
     *
     * @param previousGeneration the generation before
     * @param generation the generation after
     * @param outcome {@code ALL_ACKNOWLEDGED}, {@code TIMED_OUT} or {@code NOT_AWAITED}
     * @param outdatedWatchers tracked watchers still outdated when the wait ended; null where the
     *        driver does not report its counts
     * @param waitedMillis how long the trigger and wait took
     * @param keyIdBefore the signing key before
     * @param keyId the signing key when the answer was made
     * @param keyGeneration the generation of that key
     */
    record RestoreResult(long previousGeneration, long generation, String outcome, Integer outdatedWatchers,
            long waitedMillis, String keyIdBefore, String keyId, long keyGeneration) {
    }
}
