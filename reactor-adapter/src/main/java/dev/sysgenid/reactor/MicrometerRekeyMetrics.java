/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The {@code sysgenid.rekey} timers of one subscription, one per outcome, registered up front. */
final class MicrometerRekeyMetrics implements RekeyMetrics {

    static final String TIMER = "sysgenid.rekey";

    private final Map<Outcome, Timer> timers = new EnumMap<>(Outcome.class);

    MicrometerRekeyMetrics(Object registry, String device, String subscriber) {
        MeterRegistry r = (MeterRegistry) registry;
        for (Outcome o : Outcome.values()) {
            timers.put(o, Timer.builder(TIMER)
                    .description("Re-keying after a system generation change, until the acknowledgement")
                    .tag("device", device)
                    .tag("subscriber", subscriber)
                    .tag("outcome", o.tag())
                    .register(r));
        }
    }

    @Override
    public void record(long nanos, Outcome outcome) {
        timers.get(outcome).record(nanos, TimeUnit.NANOSECONDS);
    }
}
