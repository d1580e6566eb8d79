/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.webflux;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;

/** {@link ServiceApiTest} on a simulated device that behaves as the production driver (no counts). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"sysgenid.mode=simulated", "sysgenid.simulated-driver=production"})
@AutoConfigureWebTestClient
class ServiceApiOnProductionDriverTest extends ServiceApiTest {
}
