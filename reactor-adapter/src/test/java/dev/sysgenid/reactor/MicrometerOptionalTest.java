/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;

import com.sun.jna.Native;

import dev.sysgenid.GenerationDevice;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Micrometer is an optional dependency: the adapter must load and run without it. The adapter,
 * core, Reactor and JNA are loaded again by a class loader that cannot see Micrometer, and a
 * re-keying flux runs there end to end.
 */
class MicrometerOptionalTest {

    private static URL jarOf(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    @Test
    void theAdapterRunsWithoutMicrometerOnTheClassPath() throws Exception {
        URL[] path = {jarOf(ReactiveGenerations.class), jarOf(MicrometerOptionalTest.class),
                jarOf(GenerationDevice.class), jarOf(Flux.class), jarOf(Publisher.class), jarOf(Native.class)};
        try (URLClassLoader isolated = new URLClassLoader(path, ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> Class.forName("io.micrometer.core.instrument.MeterRegistry", false, isolated))
                    .isInstanceOf(ClassNotFoundException.class);
            Class<?> entry = Class.forName(Scenario.class.getName(), true, isolated);
            @SuppressWarnings("unchecked")
            Function<String, String> scenario = (Function<String, String>) entry.getConstructor().newInstance();
            assertThat(scenario.apply("go")).isEqualTo("acknowledged 2 for simulated");
        }
    }

    /** Runs inside the isolated class loader, which loads it again from the test classes. */
    public static final class Scenario implements Function<String, String> {
        @Override
        public String apply(String ignored) {
            try (dev.sysgenid.SimulatedDevice device = dev.sysgenid.SimulatedDevice.create(1)) {
                GenerationOptions options = GenerationOptions.defaults().withTracked(true);
                String text = options.toString(); // every option, none of them Micrometer
                Generation g = ReactiveGenerations.of(device).rekeyed(x -> Mono.empty(), options)
                        .doOnSubscribe(s -> device.bump())
                        .blockFirst(Duration.ofSeconds(10));
                return text.isEmpty() ? "?" : "acknowledged " + g.value() + " for " + g.source();
            }
        }
    }
}
