/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.webflux;

import java.nio.charset.StandardCharsets;
import java.security.DrbgParameters;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Everything this service makes unique, for one system generation: the HMAC-SHA256 signing key
 * and its id, and the ID generator (a random prefix and a counter). A new generation gets a new
 * epoch, drawn from a freshly instantiated and reseeded DRBG, so nothing a restored snapshot
 * remembers (the old key, the old prefix, the old counter) is used again.
 *
 * <p>Thread-safe: everything is final except the counter, which is atomic.
 */
public final class Epoch {

    private static final HexFormat HEX = HexFormat.of();

    private final int generation;
    private final int previousGeneration;
    private final long rotation;
    private final String keyId;
    private final SecretKeySpec key;
    private final String idPrefix;
    private final AtomicLong counter = new AtomicLong();
    private final Instant rotatedAt;

    private Epoch(int generation, int previousGeneration, long rotation, String keyId, byte[] key, String idPrefix,
            Instant rotatedAt) {
        this.generation = generation;
        this.previousGeneration = previousGeneration;
        this.rotation = rotation;
        this.keyId = keyId;
        this.key = new SecretKeySpec(key, "HmacSHA256");
        this.idPrefix = idPrefix;
        this.rotatedAt = rotatedAt;
    }

    /**
     * A new epoch for {@code generation}. Blocking: instantiating and reseeding the DRBG reads
     * the system's entropy source; never call it on an event-loop thread.
     */
    static Epoch create(int generation, int previousGeneration, long rotation) {
        SecureRandom random = freshRandom(generation, rotation);
        byte[] key = new byte[32];
        byte[] keyId = new byte[6];
        byte[] prefix = new byte[10];
        random.nextBytes(key);
        random.nextBytes(keyId);
        random.nextBytes(prefix);
        return new Epoch(generation, previousGeneration, rotation, HEX.formatHex(keyId), key, HEX.formatHex(prefix),
                Instant.now());
    }

    /**
     * A DRBG instantiated now, from the system's entropy source, then reseeded from it once more.
     * The personalization string adds the generation, the rotation number and the clock, so
     * two clones of one snapshot differ even before their entropy does.
     */
    private static SecureRandom freshRandom(int generation, long rotation) {
        byte[] personalization = ("sysgenid-webflux-app/" + Integer.toUnsignedString(generation) + "/" + rotation
                + "/" + System.nanoTime() + "/" + System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8);
        try {
            SecureRandom random = SecureRandom.getInstance("DRBG",
                    DrbgParameters.instantiation(256, DrbgParameters.Capability.RESEED_ONLY, personalization));
            random.reseed();
            return random;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no DRBG SecureRandom", e);
        }
    }

    /** A new request ID: the epoch's random prefix and the next value of its counter. */
    String nextId() {
        return idPrefix + "-" + Long.toHexString(counter.incrementAndGet());
    }

    /** HMAC-SHA256 of {@code data} under this epoch's key. CPU only. */
    byte[] sign(String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** The generation this epoch was made for (unsigned 32-bit; compare with == only). */
    public int generation() {
        return generation;
    }

    /** {@link #generation()} as an unsigned number. */
    public long generationValue() {
        return Integer.toUnsignedLong(generation);
    }

    /** The generation of the epoch this one replaced (its own for the first epoch). */
    public int previousGeneration() {
        return previousGeneration;
    }

    /** 0 for the epoch made at startup, then one more per rotation. */
    public long rotation() {
        return rotation;
    }

    /** The public id of the signing key: 12 random hex digits. */
    public String keyId() {
        return keyId;
    }

    /** The ID prefix (20 random hex digits). */
    public String idPrefix() {
        return idPrefix;
    }

    /** IDs (and tokens) issued in this epoch so far. */
    public long issued() {
        return counter.get();
    }

    /** When this epoch was made. */
    public Instant rotatedAt() {
        return rotatedAt;
    }

    // for the memory-image test hook of KeyRing
    AtomicLong counter() {
        return counter;
    }

    @Override
    public String toString() {
        return "Epoch[generation " + Integer.toUnsignedString(generation) + ", key " + keyId + ", rotation " + rotation
                + "]";
    }
}
