/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

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
 * <p><b>What it registers.</b> {@code SecureRandom.DRBG} first, so that with this provider at
 * position 1 it is also what {@code new SecureRandom()} and {@code UUID.randomUUID()} use, and
 * {@code SecureRandom.SHA1PRNG}, wrapping SUN's SHA1PRNG (same algorithm, so code that seeds it
 * deterministically before its first use still gets the same sequence, until a restore mixes in
 * fresh entropy). Not registered: the {@code NativePRNG} family, which reads the kernel RNG on
 * every call and is left to SUN, and nothing else (signatures, ciphers) is touched.
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
 * <p><b>Guarantees.</b> Construction does no I/O; the device is opened on the first
 * {@code SecureRandom} this provider creates, and its {@link ProtectionState} is logged once
 * (logger {@code dev.sysgenid.samples.prng}). Without a device it fails open: its generators
 * behave as the SUN ones they wrap. See {@link SnapshotSafeSecureRandomSpi} for the reseed and
 * thread-safety guarantees.
 */
public final class SnapshotSafeProvider extends Provider {

    private static final long serialVersionUID = 1L;

    /** The provider name, for {@code SecureRandom.getInstance(algorithm, NAME)}. */
    public static final String NAME = "SnapshotSafe";

    private final transient ReseedCoordinator coordinator;

    /** The provider as the JDK loads it: configured from system properties (see the class comment). */
    public SnapshotSafeProvider() {
        this(openerFor(Path.of(System.getProperty("sysgenid.device", GenerationDevice.DEFAULT_PATH.toString()))),
                Boolean.parseBoolean(System.getProperty("sysgenid.prng.eager", "true")),
                Boolean.parseBoolean(System.getProperty("sysgenid.prng.track", "false")));
    }

    /**
     * A provider whose guard comes from {@code opener}, called once on first use (tests pass
     * {@code () -> GenerationGuard.watching(simulatedDevice)}).
     */
    SnapshotSafeProvider(Supplier<GenerationGuard> opener, boolean eager, boolean trackEager) {
        super(NAME, "0.1", "SnapshotSafe: SecureRandom (DRBG, SHA1PRNG) reseeded from the OS when"
                + " /dev/sysgenid's generation moves (VM snapshot restore or clone)");
        this.coordinator = new ReseedCoordinator(opener, eager, trackEager);
        Map<String, String> attributes = Map.of("ThreadSafe", "true", "ImplementedIn", "Software");
        putService(new ReseedingService(this, "DRBG", List.of(), attributes));
        putService(new ReseedingService(this, "SHA1PRNG", List.of(), attributes));
    }

    private static Supplier<GenerationGuard> openerFor(Path device) {
        return () -> GenerationGuard.open(device);
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

    ReseedCoordinator coordinator() {
        return coordinator;
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
            Provider sun = Security.getProvider("SUN");
            if (sun == null) {
                throw new NoSuchAlgorithmException("the SUN provider is not installed: " + NAME
                        + " wraps its " + getAlgorithm() + "; keep SUN in the provider list");
            }
            SecureRandom delegate = constructorParameter == null
                    ? SecureRandom.getInstance(getAlgorithm(), sun)
                    : SecureRandom.getInstance(getAlgorithm(), (SecureRandomParameters) constructorParameter, sun);
            return new SnapshotSafeSecureRandomSpi(delegate, provider.coordinator);
        }

        @Override
        public boolean supportsParameter(Object parameter) {
            return false; // as for every SecureRandom service: parameters go to newInstance
        }
    }
}
