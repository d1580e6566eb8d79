/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both ways to install the provider with no code change, each in a child JVM running
 * {@link UnchangedApplication}: the java.security override file shipped with the module, and
 * the -javaagent route. This machine has no /dev/sysgenid, so the provider is in its fail-open
 * state there; what is checked is that the application's calls reach it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InstallationTest {

    /** What a child JVM printed. */
    record Child(int exitCode, Map<String, String> values, String stderr) {
    }

    private static Child runChild(List<String> jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xshare:auto");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(UnchangedApplication.class.getName());
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Map<String, String> values = new String(out, StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("="))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1)));
        return new Child(p.exitValue(), values, new String(err, StandardCharsets.UTF_8));
    }

    private static void assertRoutedThroughProvider(Child c) {
        assertThat(c.exitCode()).as(c.stderr()).isZero();
        assertThat(c.values()).containsEntry("provider1", "SnapshotSafe")
                .containsEntry("provider2", "SUN")
                .containsEntry("default", "SnapshotSafe/DRBG")
                .containsEntry("drbg", "SnapshotSafe")
                .containsEntry("sha1prng", "SnapshotSafe")
                .containsEntry("strong", "SnapshotSafe/DRBG")
                .containsEntry("nativeprng", "SUN")
                .containsEntry("uuidVersion", "4")
                .containsEntry("uuidThroughProvider", "true")
                .containsEntry("protection", "UNSUPPORTED");
        assertThat(c.stderr().lines().filter(l -> l.contains("SnapshotSafe: ")).count())
                .as("the state is logged once: %s", c.stderr()).isEqualTo(1);
        assertThat(c.stderr()).contains("not snapshot-safe: no generation device at /dev/sysgenid");
    }

    @Test
    void securityPropertiesFile() throws Exception {
        Path file = Path.of("snapshot-safe.security").toAbsolutePath();
        assertThat(file).exists();
        assertRoutedThroughProvider(runChild(List.of("-Djava.security.properties=" + file)));
    }

    @Test
    void javaAgent(@TempDir Path dir) throws Exception {
        Path agent = dir.resolve("agent.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Premain-Class", SnapshotSafeAgent.class.getName());
        try (OutputStream o = Files.newOutputStream(agent); JarOutputStream jar = new JarOutputStream(o, m)) {
            // the agent class comes from the class path, as it would from the shaded jar
        }
        assertRoutedThroughProvider(runChild(List.of("-javaagent:" + agent)));
    }

    @Test
    void withoutEitherTheJdkDefaultsApply() throws Exception {
        Child c = runChild(List.of());
        assertThat(c.exitCode()).as(c.stderr()).isZero();
        assertThat(c.values()).containsEntry("provider1", "SUN")
                .containsEntry("drbg", "SUN")
                .containsEntry("uuidThroughProvider", "false")
                .doesNotContainKey("protection");
    }
}
