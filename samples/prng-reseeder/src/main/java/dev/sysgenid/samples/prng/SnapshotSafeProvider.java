/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.SecureRandomParameters;
import java.security.Security;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import dev.sysgenid.GenerationDevice;

/**
 * The {@code SnapshotSafe} JCA provider: {@code SecureRandom} engines that reseed from the OS
 * when the system generation moves (a VM snapshot was restored or cloned), installable with
 * no change to application code.
 *
 * <p><b>What it registers.</b> When something exists at the device path (one stat when the
 * provider is constructed, no native code): {@code SecureRandom.DRBG} first, so that with this
 * provider at position 1 it is also what {@code new SecureRandom()} and {@code UUID.randomUUID()} use, and
 * {@code SecureRandom.SHA1PRNG}, wrapping SUN's SHA1PRNG (same algorithm, so code that seeds it
 * deterministically before its first use still gets the same sequence, until a restore mixes in
 * fresh entropy). Not registered: the {@code NativePRNG} family, which reads the kernel RNG on
 * every call and is left to SUN, and nothing else (signatures, ciphers) is touched. When nothing
 * exists at the device path it registers no service at all: every request falls through to
 * the JDK's own providers, so without the device the JVM behaves exactly as without this
 * provider ({@code new SecureRandom()} is SUN's default again, NativePRNG on Linux).
 *
 * <p><b>Installing it.</b> Either {@code -Djava.security.properties=snapshot-safe.security}
 * with this class on the class path (the JDK loads it by name), or
 * {@code -javaagent:sysgenid-prng-reseeder-all.jar} ({@link SnapshotSafeAgent}). Either way it
 * must be in place before the first {@code UUID.randomUUID()}, whose generator is created once.
 *
 * <p><b>Configuration</b> (system properties, read when the provider is constructed):
 * {@code sysgenid.device} (default {@code /dev/sysgenid}); {@code sysgenid.prng.eager}
 * (default {@code true}: reseed from a watcher on the device's epoll loop as soon as the
 * counter moves); {@code sysgenid.prng.track} (default {@code false}: when {@code true} that
 * watcher is tracked, so an overseer's wait also waits for the reseed).
 *
 * <p><b>Guarantees.</b> Construction does one stat and no other I/O; the device is opened on the
 * first {@code SecureRandom} this provider creates, and its {@link ProtectionState} is logged
 * once (logger {@code dev.sysgenid.samples.prng}; {@code FAILED} at WARNING). A device that is
 * present but unusable gives {@code FAILED}: a reseed before every output, and the open is
 * retried on later calls (see {@link ReseedCoordinator}). See {@link SnapshotSafeSecureRandomSpi} for the
 * reseed and thread-safety guarantees.
 */
public final class SnapshotSafeProvider extends Provider {

    private static final long serialVersionUID = 1L;

    /** The provider name, for {@code SecureRandom.getInstance(algorithm, NAME)}. */
    public static final String NAME = "SnapshotSafe";

    private final transient ReseedCoordinator coordinator;

    /** The provider as the JDK loads it: configured from system properties (see the class comment). */
    public SnapshotSafeProvider() {
        this(Path.of(System.getProperty("sysgenid.device", GenerationDevice.DEFAULT_PATH.toString())),
                Boolean.parseBoolean(System.getProperty("sysgenid.prng.eager", "true")),
                Boolean.parseBoolean(System.getProperty("sysgenid.prng.track", "false")));
    }

    private SnapshotSafeProvider(Path device, boolean eager, boolean trackEager) {
        // one stat, no native code: when nothing is at the path, register nothing, so that every
        // request (new SecureRandom(), UUID, getInstance("DRBG")) falls through to the JDK's own
        this(() -> GenerationGuard.open(device), eager, trackEager, !Files.notExists(device));
    }

    /**
     * A provider whose guard comes from {@code opener}, called once on first use (tests pass
     * {@code () -> GenerationGuard.watching(simulatedDevice)}).
     */
    SnapshotSafeProvider(Supplier<GenerationGuard> opener, boolean eager, boolean trackEager) {
        this(opener, eager, trackEager, true);
    }

    private SnapshotSafeProvider(Supplier<GenerationGuard> opener, boolean eager, boolean trackEager,
                                 boolean registerServices) {
        super(NAME, "0.1", "SnapshotSafe: SecureRandom (DRBG, SHA1PRNG) reseeded from the OS when"
                + " /dev/sysgenid's generation moves (VM snapshot restore or clone)");
        this.coordinator = new ReseedCoordinator(opener, eager, trackEager);
        if (registerServices) {
            Map<String, String> attributes = Map.of("ThreadSafe", "true", "ImplementedIn", "Software");
            putService(new ReseedingService(this, "DRBG", List.of(), attributes));
            putService(new ReseedingService(this, "SHA1PRNG", List.of(), attributes));
        }
    }

    /** The protection state; opens the device now if no generator has done so yet. */
    public ProtectionState protectionState() {
        return coordinator.guard().state();
    }

    /** The reseed counters so far. */
    public ReseedStatistics statistics() {
        return coordinator.statistics();
    }

    /** Whether the eager path (a watcher on the device's epoll loop) is running. */
    public boolean isEagerReseedActive() {
        return coordinator.eagerActive();
    }

    /**
     * The provider installed in this JVM's provider list (by either route), if any: for code
     * that wants to report the {@link #protectionState()} or the {@link #statistics()}.
     */
    public static Optional<SnapshotSafeProvider> installed() {
        return Security.getProvider(NAME) instanceof SnapshotSafeProvider p ? Optional.of(p) : Optional.empty();
    }

    /**
     * A deserialized provider (a {@code SecureRandom} refers to its provider) is the one
     * installed, or one configured as the JDK would load it: never a copy without a device.
     */
    private Object readResolve() {
        return installed().orElseGet(SnapshotSafeProvider::new);
    }

    ReseedCoordinator coordinator() {
        return coordinator;
    }

    /** A new engine around SUN's {@code algorithm}, created with its default parameters. */
    SnapshotSafeSecureRandomSpi newSpi(String algorithm) throws NoSuchAlgorithmException {
        return newSpi(algorithm, null);
    }

    private SnapshotSafeSecureRandomSpi newSpi(String algorithm, SecureRandomParameters parameters)
            throws NoSuchAlgorithmException {
        Provider sun = Security.getProvider("SUN");
        if (sun == null) {
            throw new NoSuchAlgorithmException("the SUN provider is not installed: " + NAME
                    + " wraps its " + algorithm + "; keep SUN in the provider list");
        }
        SecureRandom delegate = parameters == null
                ? SecureRandom.getInstance(algorithm, sun)
                : SecureRandom.getInstance(algorithm, parameters, sun);
        return new SnapshotSafeSecureRandomSpi(delegate, coordinator);
    }

    /**
     * A SecureRandom service whose instances wrap SUN's engine of the same name. It builds them
     * itself instead of through reflection, so each one is handed this provider's coordinator.
     */
    private static final class ReseedingService extends Provider.Service {

        private final SnapshotSafeProvider provider;

        ReseedingService(SnapshotSafeProvider provider, String algorithm, List<String> aliases,
                         Map<String, String> attributes) {
            super(provider, "SecureRandom", algorithm, SnapshotSafeSecureRandomSpi.class.getName(), aliases, attributes);
            this.provider = provider;
        }

        @Override
        public Object newInstance(Object constructorParameter) throws NoSuchAlgorithmException {
            if (constructorParameter != null && !(constructorParameter instanceof SecureRandomParameters)) {
                throw new IllegalArgumentException("SecureRandom." + getAlgorithm()
                        + " takes SecureRandomParameters (such as DrbgParameters.instantiation(...)), not "
                        + constructorParameter.getClass().getName());
            }
            return provider.newSpi(getAlgorithm(), (SecureRandomParameters) constructorParameter);
        }

        @Override
        public boolean supportsParameter(Object parameter) {
            return false; // as for every SecureRandom service: parameters go to newInstance
        }
    }
}
