/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.security.Provider;
import java.security.Security;

import dev.sysgenid.GenerationDevice;

/**
 * {@code -javaagent:sysgenid-prng-reseeder-all.jar}: installs {@link SnapshotSafeProvider} at
 * position 1 before the application's {@code main} runs, with no change to its code. It does not
 * touch {@code securerandom.strongAlgorithms}: {@code SecureRandom.getInstanceStrong()} stays the
 * JDK's ({@code NativePRNGBlocking} from SUN on Linux), which reads the kernel on every call.
 *
 * <p>Guarantees: after {@code premain} returns, and if something exists at the device path,
 * {@code new SecureRandom()},
 * {@code SecureRandom.getInstance("DRBG")}, {@code SecureRandom.getInstance("SHA1PRNG")} and the
 * first {@code UUID.randomUUID()} go through the provider. Idempotent: a provider already
 * installed is left where it is. The agent transforms no classes. Attached later to a running
 * JVM ({@code agentmain}) it installs the provider too, but a {@code UUID.randomUUID()} that
 * already ran keeps the generator it created then: prefer {@code -javaagent}.
 */
public final class SnapshotSafeAgent {

    private SnapshotSafeAgent() {
    }

    /**
     * Called by the JVM for {@code -javaagent}: installs the provider.
     *
     * @param args the agent's options: ignored
     * @param instrumentation not used
     */
    public static void premain(String args, Instrumentation instrumentation) {
        install();
    }

    /**
     * Called by the JVM when the agent is attached to a running VM; see the class comment.
     *
     * @param args the agent's options: ignored
     * @param instrumentation not used
     */
    public static void agentmain(String args, Instrumentation instrumentation) {
        install();
    }

    /**
     * Loads the core's native layer (JNA) now, while SUN is still the default: JNA's temporary
     * file draws from a {@code SecureRandom}, and doing that before the provider is in the list
     * keeps the provider's first open of the device free of that recursion.
     */
    private static void warmUpNativeAccess() {
        try {
            GenerationDevice.status(Path.of(System.getProperty("sysgenid.device", GenerationDevice.DEFAULT_PATH.toString())));
        } catch (RuntimeException | LinkageError e) {
            // whatever it is, the provider meets it again when it opens the device, and logs it
        }
    }

    /** Inserts the provider at position 1 unless one is installed; returns the installed one. */
    static synchronized Provider install() {
        Provider existing = Security.getProvider(SnapshotSafeProvider.NAME);
        if (existing != null) {
            return existing;
        }
        warmUpNativeAccess();
        SnapshotSafeProvider provider = new SnapshotSafeProvider();
        Security.insertProviderAt(provider, 1);
        provider.onInstalled();
        return provider;
    }
}
