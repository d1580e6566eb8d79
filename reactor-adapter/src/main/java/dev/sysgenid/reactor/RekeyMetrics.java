/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import dev.sysgenid.GenerationDevice;

/**
 * Where one subscription records its re-keyings and the changes its watcher was told about.
 * Micrometer is touched only through {@link MicrometerRekeyMetrics}, which is loaded only when
 * the options carry a registry.
 */
interface RekeyMetrics {

    /** How a re-keying ended; the {@code outcome} tag is the lower-case name. */
    enum Outcome {
        ACKNOWLEDGED, STALE, FAILED, TIMED_OUT, CANCELLED;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Nothing recorded. */
    RekeyMetrics NONE = new RekeyMetrics() {
        @Override
        public void record(long nanos, Outcome outcome) {
        }

        @Override
        public void changeSeen() {
        }
    };

    void record(long nanos, Outcome outcome);

    /** The loop reported a change to this subscription's watcher. */
    void changeSeen();

    static RekeyMetrics of(GenerationOptions options, GenerationDevice device) {
        Object registry = options.meterRegistry();
        return registry == null ? NONE : new MicrometerRekeyMetrics(registry, device, options.metricsName());
    }
}
