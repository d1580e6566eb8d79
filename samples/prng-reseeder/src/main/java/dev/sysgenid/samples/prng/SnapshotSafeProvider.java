/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.SecureRandomParameters;
import java.security.Security;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p><b>Guarantees.</b> Construction does one stat and no other I/O; the device is opened on a
 * daemon thread started by the first {@code SecureRandom} this provider creates (no caller
 * waits for it; until it has finished generators reseed from the OS on every call, see
 * {@link ReseedCoordinator}), and its {@link ProtectionState} is logged once (logger
 * {@code dev.sysgenid.samples.prng}; {@code FAILED} at WARNING). With nothing at the device
 * path when it is constructed it registers no services, logs that when it is installed (by
 * the agent) or at the first lookup that reaches it (properties route), starts no thread, and
 * never looks at the path again: restart the JVM after loading the module. A device that is
 * present but unusable gives {@code FAILED}: a reseed before every output, and the open is
 * retried on later calls (see {@link ReseedCoordinator}). See {@link SnapshotSafeSecureRandomSpi} for the
 * reseed and thread-safety guarantees.
 */
public final class SnapshotSafeProvider extends Provider {

    private static final long serialVersionUID = 1L;

    /** The provider name, for {@code SecureRandom.getInstance(algorithm, NAME)}. */
    public static final String NAME = "SnapshotSafe";

    private static final long STATE_WAIT_SECONDS = 10;

    private final transient ReseedCoordinator coordinator;
    /** Whether the services are registered (something was at the device path). */
    private final transient boolean registered;
    /** Whether the state was logged, for a provider with no services; see {@link #getService}. */
    private final transient AtomicBoolean stateLogged = new AtomicBoolean();

    /** The provider as the JDK loads it: configured from system properties (see the class comment). */
    public SnapshotSafeProvider() {
        this(Path.of(System.getProperty("sysgenid.device", GenerationDevice.DEFAULT_PATH.toString())),
                Boolean.parseBoolean(System.getProperty("sysgenid.prng.eager", "true")),
                Boolean.parseBoolean(System.getProperty("sysgenid.prng.track", "false")));
    }

    private SnapshotSafeProvider(Path device, boolean eager, boolean trackEager) {
        // one stat, no native code: when nothing is at the path, register nothing, so that every
        // request (new SecureRandom(), UUID, getInstance("DRBG")) falls through to the JDK's own
        this(Files.notExists(device) ? () -> GenerationGuard.unregistered(device) : () -> GenerationGuard.openExpected(device),
                eager, trackEager, !Files.notExists(device), new OsEntropy(System::nanoTime));
    }

    /**
     * A provider whose guard comes from {@code opener}, called on the open thread on first use
     * (tests pass {@code () -> GenerationGuard.watching(simulatedDevice)}).
     */
    SnapshotSafeProvider(Supplier<GenerationGuard> opener, boolean eager, boolean trackEager) {
        this(opener, eager, trackEager, true, new OsEntropy(System::nanoTime));
    }

    /** As above, with the OS entropy given (the clone model pins its clock). */
    SnapshotSafeProvider(Supplier<GenerationGuard> opener, boolean eager, boolean trackEager, OsEntropy entropy) {
        this(opener, eager, trackEager, true, entropy);
    }

    private SnapshotSafeProvider(Supplier<GenerationGuard> opener, boolean eager, boolean trackEager,
                                 boolean registerServices, OsEntropy entropy) {
        super(NAME, "0.1", "SnapshotSafe: SecureRandom (DRBG, SHA1PRNG) reseeded from the OS when"
                + " /dev/sysgenid's generation moves (VM snapshot restore or clone)");
        this.coordinator = new ReseedCoordinator(opener, eager, trackEager, entropy);
        this.registered = registerServices;
        if (registerServices) {
            Map<String, String> attributes = Map.of("ThreadSafe", "true", "ImplementedIn", "Software");
            putService(new ReseedingService(this, "DRBG", List.of(), attributes));
            putService(new ReseedingService(this, "SHA1PRNG", List.of(), attributes));
        }
    }

    /**
     * With no services registered (nothing at the device path), the first lookup that reaches
     * this provider logs its state, once: in the provider list the JDK builds, every
     * {@code getInstance} asks the provider at position 1 first. An instance constructed and
     * dropped (a {@code ServiceLoader} iteration, the JDK's own search of the class path)
     * is never asked, so it logs nothing and leaves no thread behind.
     */
    @Override
    public Service getService(String type, String algorithm) {
        if (!registered) {
            logStateOnce();
        }
        return super.getService(type, algorithm);
    }

    /**
     * Called by the agent once it has inserted this provider: with no services registered,
     * logs the state at once (see {@link #getService}); otherwise nothing (the first generator
     * opens the device, and the open logs).
     */
    void onInstalled() {
        if (!registered) {
            logStateOnce();
        }
    }

    private void logStateOnce() {
        if (stateLogged.compareAndSet(false, true)) {
            // nothing at the path: the open is a stat, no native code; the open thread logs it
            coordinator.awaitOpen(Duration.ofSeconds(STATE_WAIT_SECONDS));
        }
    }

    /**
     * The protection state. Waits (up to {@value #STATE_WAIT_SECONDS} s) for the device's open
     * if it has not finished yet, starting it if no generator has, so do not call this from a
     * static initialiser; if the open has still not finished the state is
     * {@link ProtectionState#OPENING} (generators reseed on every call meanwhile).
     *
     * @return the protection state
     */
    public ProtectionState protectionState() {
        return protectionState(Duration.ofSeconds(STATE_WAIT_SECONDS));
    }

    /** As {@link #protectionState()}, waiting up to {@code wait}. */
    ProtectionState protectionState(Duration wait) {
        return coordinator.awaitOpen(wait).state();
    }
    /** {@return the reseed counters so far} */
    public ReseedStatistics statistics() {
        return coordinator.statistics();
    }

    /** {@return whether the eager path (a watcher on the device's epoll loop) is running} */
    public boolean isEagerReseedActive() {
        return coordinator.eagerActive();
    }

    /**
     * The provider installed in this JVM's provider list (by either route), if any: for code
     * that wants to report the {@link #protectionState()} or the {@link #statistics()}.
     *
     * @return the installed provider, or empty if this JVM has none
     */
    public static Optional<SnapshotSafeProvider> installed() {
        return Security.getProvider(NAME) instanceof SnapshotSafeProvider p ? Optional.of(p) : Optional.empty();
    }

    /**
     * A deserialized provider (a {@code SecureRandom} refers to its provider) is the one
     * installed, or else the {@linkplain #jvmWide() JVM-wide one}: never a copy without a
     * device, and never one more device open per deserialized instance.
     *
     * @return the provider that stands for the deserialized one
     */
    private Object readResolve() {
        return jvmWide();
    }

    /**
     * The provider this JVM's deserialized generators use: the installed one, or, when none is
     * installed, one provider configured as the JDK would load it, created on first need and
     * shared by every later caller (one device open, one eager watcher for the JVM).
     */
    static SnapshotSafeProvider jvmWide() {
        return installed().orElseGet(() -> Uninstalled.PROVIDER);
    }

    /** Holds the JVM-wide provider for when none is installed; initialised on first use. */
    private static final class Uninstalled {
        static final SnapshotSafeProvider PROVIDER = new SnapshotSafeProvider();
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
