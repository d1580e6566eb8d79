/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * The overseer on the module path, in a JVM of its own: its module descriptor and core's (and
 * JNA and picocli as the modules they are) resolve, the CLI reaches only what core exports, and
 * the epoll loop, the watcher and the simulated device work there as on the class path.
 */
class ModulePathTest {

    /** The modules the overseer needs at run time, and nothing else from the test class path. */
    private static final Set<String> MODULES = Set.of("dev.sysgenid.samples.overseer", "dev.sysgenid", "com.sun.jna",
            "info.picocli");

    @Test
    void theWatchCommandRunsOnTheModulePath() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 22) {
            command.add("--enable-native-access=com.sun.jna,dev.sysgenid");
        }
        command.add("--module-path");
        command.add(modulePath());
        command.add("--module");
        command.add("dev.sysgenid.samples.overseer/dev.sysgenid.samples.overseer.OverseerCommand");
        command.addAll(List.of("--simulated", "watch", "--track", "--count", "3", "--bump-every", "20ms"));
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("ended: %s", out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out.lines().filter(l -> l.startsWith("watching simulated from generation ")))
                .as(out).singleElement().asString().endsWith(" (tracked); Ctrl-C to stop");
        assertThat(out.lines().filter(l -> l.matches("generation [0-9]+"))).as(out).hasSize(3).doesNotHaveDuplicates();
    }

    /**
     * The test class path's entries that hold one of {@link #MODULES}: core and the overseer as
     * their jars or, before packaging, their class directories (exploded modules).
     */
    private static String modulePath() {
        List<String> found = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (Files.isDirectory(path) && !Files.exists(path.resolve("module-info.class"))) {
                continue; // test classes, resources: not a module
            }
            try {
                for (ModuleReference m : ModuleFinder.of(path).findAll()) {
                    if (MODULES.contains(m.descriptor().name())) {
                        found.add(entry);
                        names.add(m.descriptor().name());
                    }
                }
            } catch (FindException notAModule) {
                // a jar the module system cannot read as a module: not one of ours
            }
        }
        assertThat(names).as("the modules on the test class path %s", found).containsExactlyInAnyOrderElementsOf(MODULES);
        return found.stream().collect(Collectors.joining(File.pathSeparator));
    }
}
