/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.webflux;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.SimulatedDevice;
import dev.sysgenid.reactor.ReactiveGenerations;

/** The device, the key ring that follows it and the subscription that rotates it. */
@Configuration(proxyBeanMethods = false)
class DeviceConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DeviceConfiguration.class);

    /**
     * The real device at {@code sysgenid.device} if it exists (or {@code sysgenid.mode=real}),
     * else the simulated one, which the log says plainly. Closed with the context.
     */
    @Bean
    @ConditionalOnMissingBean
    GenerationDevice generationDevice(SysgenidProperties props) {
        boolean simulate = SimulatedDeviceCondition.willSimulate(props.mode(), props.device());
        if (!simulate) {
            GenerationDevice device = GenerationDevice.open(props.device());
            log.info("Using the generation device {} (generation {}): restores are signalled by the hypervisor or "
                    + "an overseer; driver: {}", device.name(), Integer.toUnsignedString(device.currentGeneration()),
                    device.driver().description());
            return device;
        }
        if (props.mode() == SysgenidProperties.Mode.SIMULATED) {
            log.warn("sysgenid.mode=simulated: using the SIMULATED generation device, whether or not {} exists; "
                    + "restores must be simulated with POST /simulate/restore", props.device());
        } else {
            log.warn("No {} on this machine: using the SIMULATED generation device; restores must be simulated "
                    + "with POST /simulate/restore", props.device());
        }
        return SimulatedDevice.create(props.simulatedDriver());
    }

    @Bean
    ReactiveGenerations reactiveGenerations(GenerationDevice device) {
        return ReactiveGenerations.of(device);
    }

    @Bean
    KeyRing keyRing(GenerationDevice device, ObjectProvider<RotationObserver> observers) {
        return new KeyRing(device, observers.orderedStream().toList());
    }

    @Bean
    TokenService tokenService(KeyRing keys) {
        return new TokenService(keys);
    }

    @Bean
    GenerationRotator generationRotator(ReactiveGenerations generations, KeyRing keys, SysgenidProperties props) {
        return new GenerationRotator(generations, keys, props.rekeyTimeout());
    }
}
