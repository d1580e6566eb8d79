/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a duration from the command line: a number with a unit ({@code 250ms}, {@code 30s},
 * {@code 5m}, {@code 1h}), an ISO-8601 duration ({@code PT30S}), or {@code 0} for "no limit".
 * Negative or malformed values are usage errors that show the accepted forms.
 */
final class DurationConverter implements ITypeConverter<Duration> {

    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h)?");

    @Override
    public Duration convert(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        Matcher m = SIMPLE.matcher(v);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2);
                if (unit == null && n != 0) {
                    throw bad(value);
                }
                return switch (unit == null ? "s" : unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofSeconds(n);
                };
            }
            Duration d = Duration.parse(value.trim());
            if (d.isNegative()) {
                throw bad(value);
            }
            return d;
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw bad(value);
        }
    }

    private static TypeConversionException bad(String value) {
        return new TypeConversionException("'" + value + "' is not a duration: write it as 250ms,"
                + " 30s, 5m, 1h or PT30S, or 0 for no limit");
    }
}
