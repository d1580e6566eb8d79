/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.SecureRandom;

/**
 * Fresh bytes from the kernel, read at the moment they are asked for: the SUN provider's
 * {@code NativePRNGNonBlocking.generateSeed}, an unbuffered read of {@code /dev/urandom}.
 * Unbuffered matters: bytes buffered before a snapshot would be the same in every clone. A read
 * after the counter moved differs between clones only if each clone's kernel RNG was reseeded:
 * Linux 5.18 and later do that on a VM generation ID change (vmgenid), and the overseer's
 * {@code restore-cycle --reseed-kernel-rng} does it on any kernel; see the README.
 * Never blocks once the kernel RNG is initialised (restores happen long after boot).
 *
 * <p>The JCA lookup happens on first use, never at construction, so a provider being loaded
 * by the JDK does not call back into the provider list. Thread-safe.
 */
final class OsEntropy {

    static final int KERNEL_BYTES = 32;

    private volatile SecureRandom source;

    /** {@code length} bytes read from the kernel now. */
    byte[] draw(int length) {
        return source().generateSeed(length);
    }

    /**
     * What a generator mixes in when it reseeds: {@value #KERNEL_BYTES} bytes read from the
     * kernel now, then {@code generation} and {@code System.nanoTime()}, which cost nothing
     * and differ between clones whose restores were not at the same nanosecond, even if their
     * kernel RNGs were not reseeded.
     */
    byte[] reseedInput(int generation) {
        return ByteBuffer.allocate(KERNEL_BYTES + Integer.BYTES + Long.BYTES)
                .put(draw(KERNEL_BYTES)).putInt(generation).putLong(System.nanoTime()).array();
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
