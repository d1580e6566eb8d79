/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.blockhound;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/**
 * BlockHound takes class and method names as strings and says nothing when one names nothing:
 * a renamed method would silently lose its marking or its allowance. Every name the
 * integration lists must name a method that exists.
 */
class BlockHoundNamesTest {

    @Test
    void everyMethodMarkedAsBlockingExistsWithItsDescriptor() throws ClassNotFoundException {
        assertThat(SysgenidBlockHoundIntegration.BLOCKING).isNotEmpty();
        for (SysgenidBlockHoundIntegration.Blocking b : SysgenidBlockHoundIntegration.BLOCKING) {
            Class<?> c = Class.forName(b.className());
            assertThat(Arrays.stream(c.getDeclaredMethods())
                    .filter(m -> m.getName().equals(b.method()))
                    .map(BlockHoundNamesTest::descriptor))
                    .as("%s#%s", b.className(), b.method())
                    .contains(b.descriptor());
        }
    }

    @Test
    void everyMethodWithAnAllowanceExists() throws ClassNotFoundException {
        assertThat(SysgenidBlockHoundIntegration.ALLOWED).isNotEmpty();
        for (SysgenidBlockHoundIntegration.Allowed a : SysgenidBlockHoundIntegration.ALLOWED) {
            Class<?> c = Class.forName(a.className());
            assertThat(Arrays.stream(c.getDeclaredMethods()).map(Method::getName))
                    .as("the methods of %s", a.className())
                    .containsAll(a.methods());
        }
    }

    private static String descriptor(Method m) {
        return MethodType.methodType(m.getReturnType(), m.getParameterTypes()).toMethodDescriptorString();
    }
}
