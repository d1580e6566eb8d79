/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.SecureRandom;
import java.util.function.LongSupplier;

/**
 * Fresh bytes from the kernel, read at the moment they are asked for: the SUN provider's
 * {@code NativePRNGNonBlocking.generateSeed}, an unbuffered read of {@code /dev/urandom}.
 * Unbuffered matters: bytes buffered before a snapshot would be the same in every clone. A read
 * after the counter moved differs between clones only if something that differs between them
 * reached each clone's kernel RNG: Linux 5.18 and later reseed it on a VM generation ID change
 * (vmgenid); the overseer's {@code restore-cycle --reseed-kernel-rng} makes the kernel reseed
 * at once from what differs, but adds nothing clone-specific itself; see the README.
 * Never blocks once the kernel RNG is initialised (restores happen long after boot).
 *
 * <p>The JCA lookup happens on first use, never at construction, so a provider being loaded
 * by the JDK does not call back into the provider list. Thread-safe.
 */
final class OsEntropy {

    static final int KERNEL_BYTES = 32;
    /**
     * The length of {@link #reseedInput}: at most the seed length of every SUN DRBG, since a
     * CTR_DRBG without derivation function ({@code securerandom.drbg.config=CTR_DRBG,AES-128,no_df})
     * accepts no more additional input than that (32 bytes for AES-128, 40 for AES-192).
     */
    static final int RESEED_INPUT_BYTES = 32;

    private final LongSupplier clock;
    private volatile SecureRandom source;

    /** @param clock the high-resolution time mixed into every reseed ({@code System::nanoTime}) */
    OsEntropy(LongSupplier clock) {
        this.clock = clock;
    }

    /** {@code length} bytes read from the kernel now. */
    byte[] draw(int length) {
        return source().generateSeed(length);
    }

    /**
     * What a generator mixes in when it reseeds, {@value #RESEED_INPUT_BYTES} bytes: the SHA-256
     * of {@value #KERNEL_BYTES} bytes read from the kernel now, {@code generation} and the clock
     * ({@code System.nanoTime()}). The generation and the clock cost nothing and differ between
     * clones whose restores were not at the same nanosecond, even if their kernel RNGs were not
     * reseeded; hashing keeps all of the kernel bytes' entropy in a length every DRBG
     * configuration accepts (see {@link #RESEED_INPUT_BYTES}).
     */
    byte[] reseedInput(int generation) {
        byte[] material = ByteBuffer.allocate(KERNEL_BYTES + Integer.BYTES + Long.BYTES)
                .put(draw(KERNEL_BYTES)).putInt(generation).putLong(clock.getAsLong()).array();
        try {
            return MessageDigest.getInstance("SHA-256", "SUN").digest(material);
        } catch (NoSuchAlgorithmException | NoSuchProviderException e) {
            throw new IllegalStateException("the SUN provider has no SHA-256: this sample needs a JDK with the SUN"
                    + " provider installed", e);
        }
    }

    /** A long read from the kernel now. */
    long drawLong() {
        byte[] b = draw(Long.BYTES);
        long v = 0;
        for (byte x : b) {
            v = (v << 8) | (x & 0xff);
        }
        return v;
    }

    private SecureRandom source() {
        SecureRandom s = source;
        if (s == null) {
            try {
                s = SecureRandom.getInstance("NativePRNGNonBlocking", "SUN");
            } catch (NoSuchAlgorithmException | NoSuchProviderException e) {
                throw new IllegalStateException("the SUN provider has no NativePRNGNonBlocking: this"
                        + " sample needs Linux and a JDK with the SUN provider installed", e);
            }
            source = s;
        }
        return s;
    }
}
