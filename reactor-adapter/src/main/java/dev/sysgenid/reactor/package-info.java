/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * Project Reactor adapter for the System Generation ID device.
 *
 * <p>{@link dev.sysgenid.reactor.ReactiveGenerations} turns a {@link dev.sysgenid.GenerationDevice}
 * into cold publishers of {@link dev.sysgenid.reactor.Generation}s (one watcher per subscription,
 * closed whenever it ends; latest wins, never more than one element buffered) and re-keys with
 * an acknowledgement after each change; {@link dev.sysgenid.reactor.ReactiveOverseer} is the
 * orchestrator's trigger-and-wait as Monos whose blocking waits run on a blocking-capable
 * scheduler and are interrupted by cancel. Core's {@link
 * dev.sysgenid.blockhound.SysgenidBlockHoundIntegration} teaches BlockHound which calls block.
 */
package dev.sysgenid.reactor;
