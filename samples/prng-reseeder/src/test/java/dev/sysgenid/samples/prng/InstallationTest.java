/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both ways to install the provider with no code change, each in a child JVM running
 * {@link UnchangedApplication}: the java.security override file shipped with the module, and
 * the -javaagent route; and what each state does to an application. No machine the tests run
 * on has a usable {@code /dev/sysgenid}: a path that does not exist gives the JDK's own
 * behaviour, and a path that exists but is no device ({@code /dev/null}, a socket) gives the
 * FAILED state, in which every call goes through the provider and reseeds.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class InstallationTest {

    private static final Path SECURITY_FILE = Path.of("snapshot-safe.security").toAbsolutePath();

    @TempDir
    Path dir;

    private static Map<String, String> app(List<String> jvmOptions) throws Exception {
        ChildJvm c = ChildJvm.run(jvmOptions, UnchangedApplication.class.getName());
        assertThat(c.exitCode()).as(c.stderr()).isZero();
        return c.values('=');
    }

    private static ChildJvm appChild(String... jvmOptions) throws Exception {
        ChildJvm c = ChildJvm.run(List.of(jvmOptions), UnchangedApplication.class.getName());
        assertThat(c.exitCode()).as(c.stderr()).isZero();
        return c;
    }

    private List<String> routes() throws IOException {
        return List.of("-Djava.security.properties=" + SECURITY_FILE, "-javaagent:" + agentJar());
    }

    private static void assertRoutedThroughProviderAndFailed(ChildJvm c) {
        assertThat(c.values('=')).containsEntry("provider1", "SnapshotSafe")
                .containsEntry("provider2", "SUN")
                .containsEntry("default", "SnapshotSafe/DRBG")
                .containsEntry("drbg", "SnapshotSafe")
                .containsEntry("sha1prng", "SnapshotSafe")
                .as("getInstanceStrong() stays the JDK's").containsEntry("strong", "SUN/NativePRNGBlocking")
                .containsEntry("nativeprng", "SUN")
                .containsEntry("uuidVersion", "4")
                .containsEntry("uuidThroughProvider", "true")
                .containsEntry("protection", "FAILED");
        assertThat(Long.parseLong(c.values('=').get("everyCallReseeds"))).as("a reseed before every output")
                .isGreaterThanOrEqualTo(3);
        assertThat(c.providerLogLines()).as("the state is logged once, at WARNING, at once: %s", c.stderr())
                .hasSize(1).first().asString().contains("degraded:");
        assertThat(c.stderr()).contains("WARNING");
    }

    @Test
    void bothRoutesReachTheProviderWhenTheDeviceIsPresentButUnusable() throws Exception {
        for (String route : routes()) {
            ChildJvm c = appChild(route, "-Dsysgenid.device=/dev/null");
            assertRoutedThroughProviderAndFailed(c);
            assertThat(c.stderr()).as(route).contains("/dev/null");
        }
    }

    /** A node no driver answers for: open(2) of a socket gives ENXIO, as a device node with no driver does. */
    @Test
    void aNodeWithNoDriverIsFailedNotUnsupported() throws Exception {
        Path socket = dir.resolve("sysgenid");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            ChildJvm c = appChild("-javaagent:" + agentJar(), "-Dsysgenid.device=" + socket);
            assertRoutedThroughProviderAndFailed(c);
            assertThat(c.stderr()).contains("exists but no driver answers for it");
        }
    }

    /** JDK 24 and later: native access refused is FAILED (the device is there), never "no device". */
    @Test
    void nativeAccessDeniedIsFailedNotUnsupported() throws Exception {
        assumeThat(Runtime.version().feature()).as("--illegal-native-access exists from JDK 24").isGreaterThanOrEqualTo(24);
        ChildJvm c = appChild("-javaagent:" + agentJar(), "-Dsysgenid.device=/dev/null", "--illegal-native-access=deny");
        assertRoutedThroughProviderAndFailed(c);
        assertThat(c.stderr()).contains("native access to /dev/null failed");
    }

    @Test
    void withNoDeviceAtThePathTheJvmBehavesExactlyAsWithoutTheProvider() throws Exception {
        Map<String, String> without = app(List.of());
        assertThat(without).containsEntry("provider1", "SUN").containsEntry("default", "SUN/NativePRNG")
                .doesNotContainKey("protection");
        String absent = "-Dsysgenid.device=" + dir.resolve("absent");
        for (String route : routes()) {
            ChildJvm c = appChild(route, absent);
            Map<String, String> with = new HashMap<>(c.values('='));
            assertThat(with).as(route).containsEntry("provider1", "SnapshotSafe")
                    .containsEntry("protection", "UNSUPPORTED").containsEntry("everyCallReseeds", "0");
            for (String key : List.of("provider1", "provider2", "protection", "everyCallReseeds")) {
                with.remove(key);
                without.remove(key);
            }
            assertThat(with).as(route).isEqualTo(without);
            assertThat(c.providerLogLines()).as(c.stderr()).hasSize(1).first().asString()
                    .contains("not snapshot-safe", "does not exist");
        }
    }

    @Test
    void newSecureRandomWithASeedIsNotDeterministicAcrossRuns() throws Exception {
        for (String mode : List.of("stock", "provider")) {
            List<String> outputs = new ArrayList<>();
            for (int run = 0; run < 2; run++) {
                ChildJvm c = ChildJvm.run(List.of(), SeededDefault.class.getName(), mode);
                assertThat(c.exitCode()).as(c.stderr()).isZero();
                outputs.add(c.values('=').get("output"));
                assertThat(c.values('=').get("algorithm")).isEqualTo(mode.equals("stock") ? "SUN/NativePRNG" : "SnapshotSafe/DRBG");
            }
            assertThat(outputs.get(0)).as(mode).isNotEqualTo(outputs.get(1));
        }
    }

    /** The shipped file restates this JDK's list, shifted by one; the provider warns when it does not. */
    @Test
    void theShippedFileKeepsThisJdksProviderListAndADroppedEntryIsLogged() throws Exception {
        Properties jdk = new Properties();
        try (var in = Files.newInputStream(Path.of(System.getProperty("java.home"), "conf", "security", "java.security"))) {
            jdk.load(in);
        }
        Properties ours = new Properties();
        try (var in = Files.newInputStream(SECURITY_FILE)) {
            ours.load(in);
        }
        List<String> shipped = SecurityPropertiesCheck.providerList(ours::getProperty);
        assertThat(shipped.subList(1, shipped.size())).isEqualTo(SecurityPropertiesCheck.providerList(jdk::getProperty));

        Path shortened = dir.resolve("short.security");
        Files.writeString(shortened, "security.provider.1=" + SnapshotSafeProvider.class.getName()
                + "\nsecurity.provider.2=SUN\nsecurity.provider.3=SunRsaSign\nsecurity.provider.4=SunEC\n"
                + "security.provider.5=SunJSSE\nsecurity.provider.6=SunJCE\n");
        ChildJvm c = appChild("-Djava.security.properties=" + shortened, "-Dsysgenid.device=/dev/null");
        assertThat(c.stderr()).as("entry 6 (SunJGSS) was replaced; 7 and on are still the JDK's").contains("dropped [SunJGSS] from");
    }

    /** A manifest-only agent jar: the agent class comes from the class path, as from the shaded jar. */
    private Path agentJar() throws IOException {
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
     * That is not taken as a native-access failure.
     */
    @Test
    void anApplicationThatLoadsTheCoreFirstStillGetsTheDeviceLookedAt() throws Exception {
        for (String route : routes()) {
            ChildJvm c = ChildJvm.run(List.of(route, "-Dsysgenid.device=/dev/null"), CloneDemo.class.getName(),
                    "--timeout", "1", "--device", "/dev/null");
            assertThat(c.exitCode()).as(c.stderr()).isEqualTo(2);
            assertThat(c.stderr()).as(route).contains("SnapshotSafe: degraded: /dev/null is present but unusable")
                    .doesNotContain("native access to");
            assertThat(c.values(' ').get("clone-demo")).isNotNull();
            assertThat(c.stdout()).contains("clone-demo info providers drbg=SnapshotSafe sha1prng=SnapshotSafe"
                    + " default=SnapshotSafe/DRBG");
        }
    }
}
