/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.webflux;

/**
 * Beans of this type are told about every key rotation, on the rotating thread (never an event
 * loop) and inside it: the acknowledgement to the device waits for them. Meant for audit hooks
 * and for tests that make a rotation slow or observable.
 */
public interface RotationObserver {

    /** A rotation from {@code current} to a new epoch for {@code toGeneration} is starting. */
    default void beforeRotation(Epoch current, int toGeneration) {
    }

    /** {@code next} is in use from now on. */
    default void afterRotation(Epoch previous, Epoch next) {
    }
}
