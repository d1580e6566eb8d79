/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
/** Project Reactor adapter for the System Generation ID device. */
package dev.sysgenid.reactor;
