/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.SysgenidException;
import dev.sysgenid.WatcherCounts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * The meters of one subscription: the {@code sysgenid.rekey} timers, one per outcome, the
 * {@code sysgenid.changes} counter, and the device's {@code sysgenid.watchers.tracked} and
 * {@code sysgenid.watchers.outdated} gauges, all registered up front.
 *
 * <p>Every subscription registers the same meters again: Micrometer hands back the meter already
 * registered under the same name and tags, so a registry holds one set per device and
 * subscriber name however many subscriptions come and go (nothing is removed when one ends).
 * The gauges are tagged with the device only, and read the device of the subscription that
 * registered them (weakly referenced, as Micrometer's gauges are by default); once that device
 * is closed or collected they read NaN, and the next subscription on an open device of that name
 * registers them again for its device.
 *
 * <p>Recording never fails the subscription: a meter that throws (a faulty registry) is reported
 * to {@link Operators#onErrorDropped} and the change is delivered and acknowledged as without
 * metrics.
 */
final class MicrometerRekeyMetrics implements RekeyMetrics {

    static final String TIMER = "sysgenid.rekey";
    static final String CHANGES = "sysgenid.changes";
    static final String TRACKED = "sysgenid.watchers.tracked";
    static final String OUTDATED = "sysgenid.watchers.outdated";

    private final Map<Outcome, Timer> timers = new EnumMap<>(Outcome.class);
    private final Counter changes;

    MicrometerRekeyMetrics(Object registry, GenerationDevice device, String subscriber) {
        MeterRegistry r = (MeterRegistry) registry;
        String name = device.name();
        for (Outcome o : Outcome.values()) {
            timers.put(o, Timer.builder(TIMER)
                    .description("Re-keying after a system generation change, until the acknowledgement")
                    .tag("device", name)
                    .tag("subscriber", subscriber)
                    .tag("outcome", o.tag())
                    .register(r));
        }
        changes = Counter.builder(CHANGES)
                .description("Generation changes reported to the watchers of this kind of subscriber")
                .baseUnit("changes")
                .tag("device", name)
                .tag("subscriber", subscriber)
                .register(r);
        gauge(r, TRACKED, "Watchers with tracking on (NaN where the driver reports no counts)", device,
                WatcherCounts::trackedWatchers);
        gauge(r, OUTDATED, "Tracked watchers that have not acknowledged the current generation (NaN where the "
                + "driver reports no counts)", device, WatcherCounts::outdatedWatchers);
    }

    private static void gauge(MeterRegistry r, String meter, String description, GenerationDevice device,
            ToIntFunction<WatcherCounts> count) {
        Gauge registered = r.find(meter).tag("device", device.name()).gauge();
        if (registered != null) {
            if (!Double.isNaN(registered.value()) || Double.isNaN(read(device, count))) {
                return; // registered by an earlier subscription (Micrometer would ignore it, with a warning)
            }
            r.remove(registered); // its device was closed (or collected) and a new one has that name: read this one
        }
        Gauge.builder(meter, device, d -> read(d, count))
                .description(description)
                .baseUnit("watchers")
                .tag("device", device.name())
                .register(r);
    }

    /** The count, or NaN where the driver reports none or the device is closed. */
    static double read(GenerationDevice device, ToIntFunction<WatcherCounts> count) {
        Optional<WatcherCounts> counts;
        try {
            device.currentGeneration(); // throws once the device is closed (its counts may still read)
            counts = device.counts();
        } catch (SysgenidException closed) {
            return Double.NaN;
        }
        return counts.isPresent() ? count.applyAsInt(counts.get()) : Double.NaN;
    }

    @Override
    public void record(long nanos, Outcome outcome) {
        try {
            timers.get(outcome).record(nanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException faultyRegistry) {
            Operators.onErrorDropped(faultyRegistry, Context.empty());
        }
    }

    @Override
    public void changeSeen() {
        try {
            changes.increment();
        } catch (RuntimeException faultyRegistry) {
            Operators.onErrorDropped(faultyRegistry, Context.empty());
        }
    }
}
