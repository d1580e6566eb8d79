/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A child JVM on the test class path, run by the JDK that runs the tests: for what only a fresh
 * JVM shows (the provider list as the JDK builds it, the first {@code UUID.randomUUID()}, JVM
 * options such as {@code --add-opens} or {@code --illegal-native-access}).
 *
 * @param exitCode the child's exit status
 * @param stdout what it printed on standard output
 * @param stderr what it printed on standard error (log lines)
 */
record ChildJvm(int exitCode, String stdout, String stderr) {

    static ChildJvm run(List<String> jvmOptions, String mainClass, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xshare:auto");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the child JVM ended").isTrue();
        return new ChildJvm(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err.join(), StandardCharsets.UTF_8));
    }

    /** Standard output's lines split at the first {@code separator}, as key and value. */
    Map<String, String> values(char separator) {
        return stdout.lines().filter(l -> l.indexOf(separator) > 0)
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(separator)), l -> l.substring(l.indexOf(separator) + 1),
                        (first, second) -> first));
    }

    /** The log lines of the provider on standard error. */
    List<String> providerLogLines() {
        return stderr.lines().filter(l -> l.contains("SnapshotSafe: ")).toList();
    }
}
