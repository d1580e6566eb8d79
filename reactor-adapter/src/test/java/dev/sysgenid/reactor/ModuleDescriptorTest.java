/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** What the adapter's module descriptor lets other modules see, and what it gives them to read. */
class ModuleDescriptorTest {

    @Test
    void onlyTheApiPackageIsExportedAndCoreAndReactorAreReadTransitively() throws URISyntaxException {
        Path classes = Path.of(ReactiveGenerations.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor d = ModuleFinder.of(classes).findAll().stream().findFirst().orElseThrow().descriptor();
        assertThat(d.name()).isEqualTo("dev.sysgenid.reactor");
        assertThat(d.exports()).singleElement().satisfies(e -> {
            assertThat(e.source()).isEqualTo("dev.sysgenid.reactor");
            assertThat(e.isQualified()).isFalse();
        });
        assertThat(d.opens()).isEmpty();
        assertThat(d.requires()).filteredOn(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE))
                .extracting(ModuleDescriptor.Requires::name).contains("dev.sysgenid", "reactor.core");
        assertThat(d.requires()).filteredOn(r -> r.name().equals("micrometer.core")).singleElement()
                .satisfies(r -> assertThat(r.modifiers()).as("optional").contains(ModuleDescriptor.Requires.Modifier.STATIC));
    }
}
