/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.webflux;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * A snapshot-safe WebFlux service: it issues request IDs and signed tokens, and on every change
 * of the system generation (a VM or container restore) rotates its signing key and its ID
 * generator before it acknowledges the change. See the README beside the pom.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WebfluxApplication {

    public static void main(String[] args) {
        SpringApplication.run(WebfluxApplication.class, args);
    }
}
