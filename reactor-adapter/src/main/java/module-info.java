/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * Project Reactor adapter for the System Generation ID device: {@code Flux<Generation>}, re-keying
 * acknowledged by a write, the overseer as Monos. Only {@code dev.sysgenid.reactor} is API;
 * Micrometer is needed only for {@code GenerationOptions#withMetrics}.
 */
// Reactor, Reactive Streams and Micrometer are automatic modules (their jars name themselves)
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.sysgenid.reactor {
    requires transitive dev.sysgenid;
    requires transitive reactor.core;
    requires transitive org.reactivestreams;
    requires static micrometer.core;

    exports dev.sysgenid.reactor;
}
