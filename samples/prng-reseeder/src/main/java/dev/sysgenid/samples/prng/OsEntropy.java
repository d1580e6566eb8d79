/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.SecureRandom;

/**
 * Fresh bytes from the kernel, read at the moment they are asked for: the SUN provider's
 * {@code NativePRNGNonBlocking.generateSeed}, an unbuffered read of {@code /dev/urandom}.
 * Unbuffered matters: bytes buffered before a snapshot would be the same in every clone. On
 * Linux 5.18 and later the kernel reseeds its own RNG on a VM fork, and the sysgenid driver
 * asks it to on a hardware change, so a read after the counter moved differs between clones.
 * Never blocks once the kernel RNG is initialised (restores happen long after boot).
 *
 * <p>The JCA lookup happens on first use, never at construction, so a provider being loaded
 * by the JDK does not call back into the provider list. Thread-safe.
 */
final class OsEntropy {

    private volatile SecureRandom source;

    /** {@code length} bytes read from the kernel now. */
    byte[] draw(int length) {
        return source().generateSeed(length);
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
