/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * One flat JSON object, written on one line (the {@code --json} output is one object per
 * line). Keys keep their insertion order; strings are escaped per RFC 8259; generations are
 * written as unsigned numbers. Not thread-safe: build it on one thread, then print it.
 */
final class JsonObject {

    private final Map<String, String> fields = new LinkedHashMap<>();

    JsonObject put(String key, String value) {
        fields.put(key, value == null ? "null" : quote(value));
        return this;
    }

    JsonObject put(String key, long value) {
        fields.put(key, Long.toString(value));
        return this;
    }

    /** A count a driver may not report: the number, or {@code null} (the key is always there). */
    JsonObject put(String key, OptionalInt value) {
        fields.put(key, value.isPresent() ? Integer.toString(value.getAsInt()) : "null");
        return this;
    }

    JsonObject put(String key, boolean value) {
        fields.put(key, Boolean.toString(value));
        return this;
    }

    /** A generation: an unsigned 32-bit number held in an int. */
    JsonObject putGeneration(String key, int generation) {
        fields.put(key, Integer.toUnsignedString(generation));
        return this;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append(quote(e.getKey())).append(':').append(e.getValue());
        }
        return b.append('}').toString();
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
