/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** Every errno value Linux defines has its name in messages, the same name the C library gives it. */
class ErrnoTest {

    /** glibc 2.32+: the symbolic name of an errno value, or null for a value it does not define. */
    interface ErrnoNames extends Library {
        String strerrorname_np(int errnum);
    }

    @Test
    void everyValueHasTheNameTheCLibraryGivesIt() {
        ErrnoNames libc = Native.load("c", ErrnoNames.class);
        int named = 0;
        for (int e = 1; e <= 200; e++) {
            String c = libc.strerrorname_np(e);
            String expected = c != null ? c + " (" + e + ")" : "unknown errno (" + e + ")";
            assertThat(Errno.describe(e)).as("errno %d", e).isEqualTo(expected);
            named += c != null ? 1 : 0;
        }
        assertThat(named).as("values the C library names").isGreaterThanOrEqualTo(131);
    }

    @Test
    void seventeenIsEexistAndAnUnknownValueSaysSo() {
        assertThat(Errno.describe(17)).isEqualTo("EEXIST (17)");
        assertThat(Errno.describe(41)).isEqualTo("unknown errno (41)");
        assertThat(Errno.describe(-1)).isEqualTo("unknown errno (-1)");
    }
}
