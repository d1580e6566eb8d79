/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import reactor.core.publisher.Flux;

/**
 * The Reactive Streams TCK against {@link ReactiveGenerations#generations}, tracked, with a
 * subscriber that acknowledges each element as it arrives (without an acknowledgement, by
 * design, a subscription sees one change only).
 */
public class GenerationsTckTest extends BumpedDeviceVerification {

    @Override
    Flux<Generation> publisher(ReactiveGenerations g) {
        return g.generations(GenerationOptions.defaults().withTracked(true))
                .doOnNext(generation -> generation.ack().subscribe());
    }
}
