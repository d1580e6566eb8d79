/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The provider under every DRBG mechanism and configuration SUN offers, set as an
 * administrator sets it ({@code securerandom.drbg.config} in a {@code java.security.properties}
 * file), in the ACTIVE state (a simulated device) and the FAILED state (a path that is no
 * device): every draw works, from {@code new SecureRandom()} and {@code UUID.randomUUID()} to
 * a DRBG without reseeding capability. A CTR_DRBG without derivation function accepts at most
 * its seed length of additional input (32 bytes for AES-128), so the provider's fresh input
 * must fit in that.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DrbgConfigurationTest {

    private static final List<String> STEPS = List.of("nextInt", "uuid", "draw", "drawAfterChange", "drawWithParams",
            "noReseedCapability", "noReseedCapabilityAfterChange");

    static Stream<Arguments> configurations() {
        return Stream.of("Hash_DRBG,SHA-256", "HMAC_DRBG,SHA-512", "CTR_DRBG,AES-128,use_df", "CTR_DRBG,AES-128,no_df",
                        "CTR_DRBG,AES-192,use_df", "CTR_DRBG,AES-192,no_df", "CTR_DRBG,AES-256,use_df",
                        "CTR_DRBG,AES-256,no_df")
                .flatMap(c -> Stream.of(Arguments.of(c, "ACTIVE"), Arguments.of(c, "FAILED")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configurations")
    void everyDrawWorksUnderThisDrbgConfiguration(String config, String state, @TempDir Path dir) throws Exception {
        Path security = dir.resolve("drbg.security");
        String providers = state.equals("FAILED") ? Files.readString(Path.of("snapshot-safe.security")) : "";
        Files.writeString(security, providers + "\nsecurerandom.drbg.config=" + config + "\n");
        List<String> options = state.equals("FAILED")
                ? List.of("-Djava.security.properties=" + security, "-Dsysgenid.device=/dev/null")
                : List.of("-Djava.security.properties=" + security);
        ChildJvm c = ChildJvm.run(options, DrbgConfigurationApplication.class.getName(), state.toLowerCase());
        assertThat(c.exitCode()).as(c.stderr()).isZero();
        Map<String, String> out = c.values('=');
        assertThat(out).containsEntry("protection", state);
        assertThat(out.get("sun")).as("the configuration took effect").startsWith(config.substring(0, config.indexOf(',')))
                .contains(config.split(",")[1]);
        for (String step : STEPS) {
            assertThat(out).as("%s: %s", step, c.stdout()).containsEntry(step, "ok");
        }
    }
}
