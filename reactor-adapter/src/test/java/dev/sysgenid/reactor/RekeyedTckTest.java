/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The Reactive Streams TCK against {@link ReactiveGenerations#rekeyed}, tracked, re-keying at once. */
public class RekeyedTckTest extends BumpedDeviceVerification {

    @Override
    Flux<Generation> publisher(ReactiveGenerations g) {
        return g.rekeyed(generation -> Mono.empty(), GenerationOptions.defaults().withTracked(true));
    }
}
