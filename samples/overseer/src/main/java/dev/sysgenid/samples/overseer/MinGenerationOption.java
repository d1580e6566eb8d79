/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import picocli.CommandLine.Option;

/** {@code --min N}, shared by the commands that trigger: the lowest acceptable new generation. */
final class MinGenerationOption {

    @Option(names = "--min", paramLabel = "N", converter = GenerationConverter.class, defaultValue = "0",
            description = "Lowest acceptable new generation, 0..4294967295 (default: current + 1).")
    int minGeneration;
}
