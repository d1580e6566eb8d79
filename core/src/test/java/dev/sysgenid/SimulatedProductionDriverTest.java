/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The simulated production driver's poll, at the epoll level: what makes a loop go deaf there.
 * The rest of its differences are in {@link DeviceContract}, which runs on both profiles.
 */
class SimulatedProductionDriverTest {

    @Test
    void anEpollRegistrationMadeWhileOutdatedGetsOneEdgeAndNeverAnother() {
        try (SimulatedDevice device = SimulatedDevice.create(DriverProfile.PRODUCTION);
                Watcher w = device.openWatcher();
                EdgeCounter edges = new EdgeCounter()) {
            int fd = w.file().pollFd();
            int g = device.bump();
            edges.add(fd);
            assertThat(edges.harvest(fd)).as("the ADD of an outdated fd: readable at once").isEqualTo(1);
            device.bump();
            assertThat(edges.harvest(fd)).as("a bump while still outdated: not on the wait queue").isZero();
            assertThat(w.acknowledge(device.currentGeneration())).isEqualTo(AckResult.ACKNOWLEDGED);
            device.bump();
            assertThat(edges.harvest(fd)).as("a bump after the acknowledgement: still deaf").isZero();
            assertThat(w.isOutdated()).as("poll(2) itself still sees the change").isTrue();
            assertThat(g).isNotEqualTo(device.currentGeneration());
        }
    }

    @Test
    void anEpollRegistrationMadeWhileUpToDateGetsAnEdgeOnEveryBump() {
        try (SimulatedDevice device = SimulatedDevice.create(DriverProfile.PRODUCTION);
                Watcher w = device.openWatcher();
                EdgeCounter edges = new EdgeCounter()) {
            int fd = w.file().pollFd();
            edges.add(fd);
            assertThat(edges.harvest(fd)).isZero();
            device.bump();
            assertThat(edges.harvest(fd)).isEqualTo(1);
            device.bump();
            assertThat(edges.harvest(fd)).as("outdated already: the driver wakes it all the same").isEqualTo(1);
            w.acknowledge(device.currentGeneration());
            device.bump();
            assertThat(edges.harvest(fd)).isEqualTo(1);
            assertThat(EdgeCounter.revents(fd)).isEqualTo(EdgeCounter.POLLIN | EdgeCounter.POLLRDNORM);
            edges.remove(fd);
        }
    }

    @Test
    void onOurProfileARegistrationMadeWhileOutdatedKeepsGettingEdges() {
        try (SimulatedDevice device = SimulatedDevice.create(DriverProfile.OURS);
                Watcher w = device.openWatcher();
                EdgeCounter edges = new EdgeCounter()) {
            int fd = w.file().pollFd();
            device.bump();
            edges.add(fd);
            assertThat(edges.harvest(fd)).isEqualTo(1);
            device.bump();
            assertThat(edges.harvest(fd)).isEqualTo(1);
            edges.remove(fd);
        }
    }
}
