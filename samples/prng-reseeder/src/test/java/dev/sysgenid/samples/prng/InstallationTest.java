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
        return runChild(jvmOptions, UnchangedApplication.class.getName());
    }

    private static Child runChild(List<String> jvmOptions, String mainClassAndArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xshare:auto");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(List.of(mainClassAndArgs.split(" ")));
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
        assertThat(c.stderr()).contains("not snapshot-safe: no generation device at /dev/sysgenid")
                .as("the device was looked at, not lost to a native-linking failure").contains("does not exist");
    }

    @Test
    void securityPropertiesFile() throws Exception {
        Path file = Path.of("snapshot-safe.security").toAbsolutePath();
        assertThat(file).exists();
        assertRoutedThroughProvider(runChild(List.of("-Djava.security.properties=" + file)));
    }

    @Test
    void javaAgent(@TempDir Path dir) throws Exception {
        assertRoutedThroughProvider(runChild(List.of("-javaagent:" + agentJar(dir))));
    }

    /** A manifest-only agent jar: the agent class comes from the class path, as from the shaded jar. */
    private static Path agentJar(Path dir) throws IOException {
        Path agent = dir.resolve("agent.jar");
        if (Files.exists(agent)) {
            return agent;
        }
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Premain-Class", SnapshotSafeAgent.class.getName());
        try (OutputStream o = Files.newOutputStream(agent)) {
            new JarOutputStream(o, m).close();
        }
        return agent;
    }

    /**
     * The clone demo loads the core (JNA) itself before its first SecureRandom: JNA's temporary
     * file then reaches the provider while the core's native class is still initialising.
     */
    @Test
    void anApplicationThatLoadsTheCoreFirstStillGetsTheDeviceLookedAt(@TempDir Path dir) throws Exception {
        for (String route : List.of("-Djava.security.properties=" + Path.of("snapshot-safe.security").toAbsolutePath(),
                "-javaagent:" + agentJar(dir))) {
            Child c = runChild(List.of(route), CloneDemo.class.getName() + " --timeout 1");
            assertThat(c.exitCode()).as(c.stderr()).isEqualTo(2);
            assertThat(c.stderr()).as(route).contains("SnapshotSafe: not snapshot-safe", "does not exist")
                    .doesNotContain("native access unavailable");
            assertThat(c.values().get("clone-demo info providers drbg"))
                    .isEqualTo("SnapshotSafe sha1prng=SnapshotSafe default=SnapshotSafe/DRBG");
        }
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
