/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.webflux;

import java.nio.file.Path;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

import dev.sysgenid.DeviceStatus;
import dev.sysgenid.GenerationDevice;

/**
 * Matches when this service will run on the simulated device: the same decision as {@link
 * DeviceConfiguration#generationDevice}, made from the same properties before any bean exists,
 * so that the restore simulation endpoint does not exist at all on the real device.
 */
final class SimulatedDeviceCondition implements Condition {

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Binder binder = Binder.get(context.getEnvironment());
        SysgenidProperties.Mode mode = binder.bind("sysgenid.mode", SysgenidProperties.Mode.class)
                .orElse(SysgenidProperties.Mode.AUTO);
        Path device = Path.of(binder.bind("sysgenid.device", String.class)
                .orElse(GenerationDevice.DEFAULT_PATH.toString()));
        return willSimulate(mode, device);
    }

    static boolean willSimulate(SysgenidProperties.Mode mode, Path device) {
        return switch (mode) {
            case SIMULATED -> true;
            case REAL -> false;
            case AUTO -> GenerationDevice.status(device) == DeviceStatus.ABSENT;
        };
    }
}
