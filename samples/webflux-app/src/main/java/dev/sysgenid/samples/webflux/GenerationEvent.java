/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.webflux;

/**
 * One element of {@code GET /generations}: the service now works in {@code generation}, under
 * the key {@code keyId}, since {@code rotatedAt}.
 *
 * @param generation the system generation (unsigned)
 * @param previousGeneration the generation before it (equal to {@code generation} for the
 *        epoch made at startup)
 * @param keyId the signing key's id in this generation
 * @param rotation 0 for the startup epoch, then one more per rotation
 * @param rotatedAt when the key was rotated (ISO-8601)
 * @param device the device path or {@code simulated}
 */
public record GenerationEvent(long generation, long previousGeneration, String keyId, long rotation, String rotatedAt,
        String device) {

    static GenerationEvent of(Epoch e, String device) {
        return new GenerationEvent(e.generationValue(), Integer.toUnsignedLong(e.previousGeneration()), e.keyId(),
                e.rotation(), e.rotatedAt().toString(), device);
    }
}
