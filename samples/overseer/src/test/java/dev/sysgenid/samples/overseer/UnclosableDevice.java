/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;

import dev.sysgenid.DriverInfo;
import dev.sysgenid.EpollLoop;
import dev.sysgenid.GenerationDevice;
import dev.sysgenid.GenerationListener;
import dev.sysgenid.GenerationProbe;
import dev.sysgenid.LoopRegistration;
import dev.sysgenid.Overseer;
import dev.sysgenid.Watcher;
import dev.sysgenid.WatcherCounts;

/**
 * A test's view of a device it owns, handed to a command: the command's {@code close()} does
 * not close it (the test does), and {@link #overseerOpened} opens once the command has its
 * overseer, so a test knows when a bump will reach it.
 */
final class UnclosableDevice implements GenerationDevice {

    final CountDownLatch overseerOpened = new CountDownLatch(1);
    private final GenerationDevice device;

    UnclosableDevice(GenerationDevice device) {
        this.device = device;
    }

    @Override
    public String name() {
        return device.name();
    }

    @Override
    public boolean isSimulated() {
        return device.isSimulated();
    }

    @Override
    public Watcher openWatcher() {
        return device.openWatcher();
    }

    @Override
    public LoopRegistration watch(boolean tracked, Executor executor, GenerationListener listener) {
        return device.watch(tracked, executor, listener);
    }

    @Override
    public Overseer overseer() {
        Overseer o = device.overseer();
        overseerOpened.countDown();
        return o;
    }

    @Override
    public GenerationProbe mapProbe() {
        return device.mapProbe();
    }

    @Override
    public EpollLoop loop() {
        return device.loop();
    }

    @Override
    public int currentGeneration() {
        return device.currentGeneration();
    }

    @Override
    public Optional<WatcherCounts> counts() {
        return device.counts();
    }

    @Override
    public DriverInfo driver() {
        return device.driver();
    }

    @Override
    public void close() {
        // the test closes the device it owns
    }
}
