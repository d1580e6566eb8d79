/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.SimulatedDevice;

/** Startup (which device, what the log says) and shutdown (no watcher left behind). */
@ExtendWith(OutputCaptureExtension.class)
class LifecycleTest {

    @Test
    void withoutTheDeviceNodeItRunsSimulatedAndSaysSoPlainly(CapturedOutput output) {
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(WebfluxApplication.class)
                .run("--server.port=0", "--sysgenid.device=/nonexistent/sysgenid")) {
            GenerationDevice device = ctx.getBean(GenerationDevice.class);
            assertThat(device.isSimulated()).isTrue();
            assertThat(ctx.getBeansOfType(SimulationController.class)).hasSize(1);
            assertThat(output).contains("No /nonexistent/sysgenid on this machine: using the SIMULATED generation "
                    + "device; restores must be simulated with POST /simulate/restore");
        }
    }

    @Test
    void theRestoreSimulationExistsOnlyOnTheSimulatedDevice() {
        assertThat(SimulatedDeviceCondition.willSimulate(SysgenidProperties.Mode.REAL,
                GenerationDevice.DEFAULT_PATH)).isFalse();
        assertThat(SimulatedDeviceCondition.willSimulate(SysgenidProperties.Mode.AUTO,
                java.nio.file.Path.of("/nonexistent/sysgenid"))).isTrue();
        assertThat(SimulatedDeviceCondition.willSimulate(SysgenidProperties.Mode.SIMULATED,
                GenerationDevice.DEFAULT_PATH)).isTrue();
    }

    @Test
    void shutdownClosesTheTrackedSubscription() throws InterruptedException {
        // the device is the test's (registered, not created by the context), so it outlives it
        try (SimulatedDevice device = GenerationDevice.simulated()) {
            ConfigurableApplicationContext ctx = new SpringApplicationBuilder(WebfluxApplication.class)
                    .initializers(c -> c.getBeanFactory().registerSingleton("generationDevice", device))
                    .run("--server.port=0", "--sysgenid.mode=simulated");
            try {
                assertThat(ctx.getBean(GenerationDevice.class)).isSameAs(device);
                assertThat(device.kernelCounts().trackedWatchers()).isEqualTo(1);
                assertThat(ctx.getBean(GenerationRotator.class).isSubscribed()).isTrue();
            } finally {
                ctx.close();
            }
            assertThat(device.kernelCounts().trackedWatchers()).isZero(); // tracking ends at once on cancel
            // and an overseer is not held up by the stopped service
            device.bump();
            try (var overseer = device.overseer()) {
                assertThat(overseer.awaitWatchers(Duration.ofSeconds(2)).allAcknowledged()).isTrue();
            }
        }
    }
}
