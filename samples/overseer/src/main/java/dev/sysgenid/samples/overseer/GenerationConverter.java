/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a generation from the command line: a decimal number from 0 to 4294967295 (unsigned
 * 32 bits), returned in an {@code int} with the same bits. Anything else is a usage error that
 * says the accepted range.
 */
final class GenerationConverter implements ITypeConverter<Integer> {

    @Override
    public Integer convert(String value) {
        try {
            return Integer.parseUnsignedInt(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a generation: give a decimal"
                    + " number from 0 to 4294967295");
        }
    }
}
