/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Test only, on every test of this module (auto-detected): fails a test during which BlockHound
 * caught a blocking call on a non-blocking thread, wherever that call ran.
 */
public final class NoBlockingCallsExtension implements BeforeEachCallback, AfterEachCallback {

    @Override
    public void beforeEach(ExtensionContext context) {
        RecordingBlockHoundIntegration.drain();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        assertThat(RecordingBlockHoundIntegration.drain()).as("blocking calls on non-blocking threads").isEmpty();
    }
}
