/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The clone problem, modelled faithfully ({@link CloneModel}: a snapshot of the JDK's generator
 * state and of the generators, restored for the second clone), for every wrapped algorithm,
 * the default {@code SecureRandom} and the first {@code UUID.randomUUID()}, for generators
 * created before the restore and after it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CloneModelTest {

    private static final List<String> OPENS = List.of("--add-opens", "java.base/sun.security.provider=ALL-UNNAMED",
            "--add-opens", "java.base/java.security=ALL-UNNAMED");

    private static Map<String, String> run(String mode) throws Exception {
        ChildJvm c = ChildJvm.run(OPENS, CloneModel.class.getName(), mode);
        assertThat(c.exitCode()).as(c.stderr()).isZero();
        return c.values(' ');
    }

    /** The model is worth something only if it shows the repeats the stock JDK has. */
    @Test
    void withoutTheProviderTheModelShowsTheJdksRepeats() throws Exception {
        Map<String, String> stock = run("stock");
        assertThat(stock).containsEntry("provider", "SUN/NativePRNG")
                .containsEntry("drbg-before", "equal").containsEntry("sha1prng-before", "equal")
                .containsEntry("drbg-after", "equal").containsEntry("sha1prng-after", "equal")
                .as("NativePRNG reads the kernel on every call").containsEntry("default-after", "differ");
    }

    @Test
    void withTheProviderEveryGeneratorDiffersBetweenClonesCreatedBeforeOrAfterTheRestore() throws Exception {
        Map<String, String> safe = run("provider");
        assertThat(safe).containsEntry("provider", "SnapshotSafe/DRBG");
        for (String key : List.of("uuid-first", "drbg-before", "sha1prng-before", "default-before",
                "drbg-after", "sha1prng-after", "default-after")) {
            assertThat(safe).as(key + ": %s", safe).containsEntry(key, "differ");
        }
    }
}
