/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** What core's module descriptor lets other modules see: the API package, nothing internal. */
class ModuleDescriptorTest {

    /** The descriptor of wherever core's classes come from: its class directory or its jar. */
    private static ModuleDescriptor descriptor() throws URISyntaxException {
        Path classes = Path.of(EpollLoop.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return ModuleFinder.of(classes).findAll().stream().findFirst().orElseThrow().descriptor();
    }

    @Test
    void onlyTheApiPackageIsExportedToEveryone() throws URISyntaxException {
        ModuleDescriptor d = descriptor();
        assertThat(d.name()).isEqualTo("dev.sysgenid");
        Map<String, Set<String>> exports = d.exports().stream()
                .collect(Collectors.toMap(ModuleDescriptor.Exports::source, ModuleDescriptor.Exports::targets));
        assertThat(exports).containsOnlyKeys("dev.sysgenid", "dev.sysgenid.blockhound", "dev.sysgenid.internal.turn");
        assertThat(exports.get("dev.sysgenid")).as("unqualified").isEmpty();
        assertThat(exports.get("dev.sysgenid.blockhound")).as("unqualified").isEmpty();
        assertThat(exports.get("dev.sysgenid.internal.turn")).as("the loop's hand-off, to the adapter only")
                .containsExactly("dev.sysgenid.reactor");
        assertThat(d.opens()).isEmpty();
        assertThat(d.provides()).as("a service of an optional module would not resolve without it").isEmpty();
        assertThat(d.packages()).contains("dev.sysgenid.internal");
    }

    @Test
    void theLoopIsStartedByADeviceNotByAPublicConstructor() {
        assertThat(Arrays.stream(EpollLoop.class.getDeclaredConstructors()).filter(c -> Modifier.isPublic(c.getModifiers())))
                .isEmpty();
    }
}
