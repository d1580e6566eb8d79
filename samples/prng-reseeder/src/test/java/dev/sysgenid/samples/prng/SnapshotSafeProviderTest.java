/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.sysgenid.Overseer;
import dev.sysgenid.SimulatedDevice;
import dev.sysgenid.WaitResult;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SnapshotSafeProviderTest {

    private final SimulatedDevice device = SimulatedDevice.create();

    @AfterEach
    void closeDevice() {
        device.close();
    }

    private SnapshotSafeProvider providerOn(SimulatedDevice d, boolean eager, boolean track) {
        return new SnapshotSafeProvider(() -> GenerationGuard.watching(d), eager, track);
    }

    private static byte[] draw(SecureRandom r) {
        byte[] b = new byte[16];
        r.nextBytes(b);
        return b;
    }

    /** Two SPIs around identically seeded SHA1PRNGs: two clones of one memory image. */
    private static List<SecureRandom> clones(SnapshotSafeProvider provider) throws NoSuchAlgorithmException {
        byte[] seed = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
        List<SecureRandom> clones = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            SecureRandom image = SecureRandom.getInstance("SHA1PRNG", java.security.Security.getProvider("SUN"));
            image.setSeed(seed);
            clones.add(new SecureRandom(new SnapshotSafeSecureRandomSpi(image, provider.coordinator()), provider) {
                private static final long serialVersionUID = 1L;
            });
        }
        return clones;
    }

    @Test
    void clonesAgreeUntilTheGenerationMovesThenDiffer() throws Exception {
        SnapshotSafeProvider provider = providerOn(device, false, false);
        List<SecureRandom> c = clones(provider);
        assertThat(draw(c.get(0))).as("the clone problem, modelled").isEqualTo(draw(c.get(1)));
        assertThat(draw(c.get(0))).isEqualTo(draw(c.get(1)));

        device.bump();

        assertThat(draw(c.get(0))).as("reseeded from the OS, each its own").isNotEqualTo(draw(c.get(1)));
        assertThat(provider.statistics().inlineReseeds()).isEqualTo(2);
        assertThat(provider.statistics().eagerReseeds()).isZero();
    }

    @Test
    void withoutAnySubscriberTheInlineCheckAloneReseedsOncePerGeneration() throws Exception {
        SnapshotSafeProvider provider = providerOn(device, false, false);
        SecureRandom drbg = SecureRandom.getInstance("DRBG", provider);
        draw(drbg);
        assertThat(provider.isEagerReseedActive()).isFalse();
        assertThat(provider.statistics().inlineReseeds()).isZero();
        device.bump();
        draw(drbg);
        draw(drbg);
        assertThat(provider.statistics().inlineReseeds()).isEqualTo(1);
        device.bump();
        device.bump();
        draw(drbg);
        assertThat(provider.statistics()).isEqualTo(new ReseedStatistics(1, 2, 0, 0));
        assertThat(provider.protectionState()).isEqualTo(ProtectionState.ACTIVE);
    }

    @Test
    void eagerPathReseedsBeforeTheNextCall() throws Exception {
        SnapshotSafeProvider provider = providerOn(device, true, false);
        SecureRandom drbg = SecureRandom.getInstance("DRBG", provider);
        SecureRandom sha = SecureRandom.getInstance("SHA1PRNG", provider);
        draw(drbg);
        assertThat(provider.isEagerReseedActive()).isTrue();
        device.bump();
        awaitEagerReseeds(provider, 2);
        draw(drbg);
        draw(sha);
        assertThat(provider.statistics().inlineReseeds()).as("the first call after the change paid nothing").isZero();
        assertThat(provider.statistics().eagerReseeds()).isEqualTo(2);
    }

    @Test
    void trackedEagerWatcherMakesTheOverseerWaitForTheReseed() throws Exception {
        SnapshotSafeProvider provider = providerOn(device, true, true);
        SecureRandom drbg = SecureRandom.getInstance("DRBG", provider);
        draw(drbg);
        assertThat(device.counts().trackedWatchers()).isEqualTo(1);
        try (Overseer overseer = device.overseer()) {
            WaitResult r = overseer.restoreCycle(0, Duration.ofSeconds(10));
            assertThat(r.outcome()).isEqualTo(WaitResult.Outcome.ALL_ACKNOWLEDGED);
        }
        assertThat(provider.statistics().eagerReseeds()).isEqualTo(1);
    }

    @Test
    void wrapAroundStillReseeds() throws Exception {
        try (SimulatedDevice top = SimulatedDevice.create(-1)) {
            SnapshotSafeProvider provider = providerOn(top, false, false);
            SecureRandom drbg = SecureRandom.getInstance("DRBG", provider);
            draw(drbg);
            assertThat(top.bump()).isZero();
            draw(drbg);
            assertThat(provider.statistics().inlineReseeds()).isEqualTo(1);
        }
    }

    @Test
    void absentDeviceFailsOpenAsAPlainDrbg(@TempDir Path dir) throws Exception {
        SnapshotSafeProvider provider = new SnapshotSafeProvider(() -> GenerationGuard.open(dir.resolve("sysgenid")), true, false);
        SecureRandom drbg = SecureRandom.getInstance("DRBG", provider);
        assertThat(draw(drbg)).isNotEqualTo(draw(drbg));
        assertThat(provider.protectionState()).isEqualTo(ProtectionState.UNSUPPORTED);
        assertThat(provider.isEagerReseedActive()).isFalse();
        assertThat(provider.statistics()).isEqualTo(new ReseedStatistics(1, 0, 0, 0));
    }

    @Test
    void unusableDeviceReseedsOnEveryCall(@TempDir Path dir) throws Exception {
        Path notADevice = Files.writeString(dir.resolve("plain"), "");
        SnapshotSafeProvider provider = new SnapshotSafeProvider(() -> GenerationGuard.open(notADevice), true, false);
        SecureRandom drbg = SecureRandom.getInstance("DRBG", provider);
        draw(drbg);
        draw(drbg);
        draw(drbg);
        assertThat(provider.protectionState()).isEqualTo(ProtectionState.FAILED);
        assertThat(provider.statistics().everyCallReseeds()).isEqualTo(3);
    }

    @Test
    void concurrentCallersNeverSeeTheSameOutputAcrossReseeds() throws Exception {
        SnapshotSafeProvider provider = providerOn(device, true, false);
        SecureRandom shared = SecureRandom.getInstance("DRBG", provider);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        AtomicBoolean duplicate = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> drawers = new ArrayList<>();
            CountDownLatch started = new CountDownLatch(4);
            for (int t = 0; t < 4; t++) {
                drawers.add(pool.submit(() -> {
                    started.countDown();
                    while (!stop.get()) {
                        if (!seen.add(HexFormat.of().formatHex(draw(shared)))) {
                            duplicate.set(true);
                        }
                    }
                }));
            }
            started.await();
            for (int i = 0; i < 50; i++) {
                device.bump();
                Thread.sleep(1);
            }
            stop.set(true);
            for (Future<?> f : drawers) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(duplicate).isFalse();
        ReseedStatistics s = provider.statistics();
        assertThat(s.inlineReseeds() + s.eagerReseeds()).isBetween(1L, 50L);
    }

    @Test
    void drbgParametersReachTheWrappedDrbg() throws Exception {
        SnapshotSafeProvider provider = providerOn(device, false, false);
        SecureRandom drbg = SecureRandom.getInstance("DRBG",
                DrbgParameters.instantiation(256, DrbgParameters.Capability.PR_AND_RESEED, null), provider);
        assertThat(drbg.getParameters()).isInstanceOfSatisfying(DrbgParameters.Instantiation.class, p -> {
            assertThat(p.getStrength()).isEqualTo(256);
            assertThat(p.getCapability()).isEqualTo(DrbgParameters.Capability.PR_AND_RESEED);
        });
        device.bump();
        drbg.nextBytes(new byte[32], DrbgParameters.nextBytes(256, true, null));
        assertThat(provider.statistics().inlineReseeds()).isEqualTo(1);
        assertThat(drbg.getProvider().getName()).isEqualTo("SnapshotSafe");
    }

    @Test
    void servicesAreThreadSafeAndDrbgComesFirst() {
        SnapshotSafeProvider provider = providerOn(device, false, false);
        assertThat(provider.getService("SecureRandom", "DRBG").getAttribute("ThreadSafe")).isEqualTo("true");
        assertThat(provider.getService("SecureRandom", "SHA1PRNG").getAttribute("ThreadSafe")).isEqualTo("true");
        assertThat(provider.getService("SecureRandom", "NativePRNG")).isNull();
        assertThat(provider.getProperty("SecureRandom.DRBG ThreadSafe")).isEqualTo("true");
        assertThat(provider.getServices()).first().satisfies(s -> assertThat(s.getAlgorithm()).isEqualTo("DRBG"));
    }

    @Test
    void sha1prngRejectsDrbgParametersWithATypedError() {
        SnapshotSafeProvider provider = providerOn(device, false, false);
        assertThatThrownBy(() -> SecureRandom.getInstance("SHA1PRNG", DrbgParameters.instantiation(128,
                DrbgParameters.Capability.NONE, null), provider))
                .isInstanceOfAny(NoSuchAlgorithmException.class, IllegalArgumentException.class);
    }

    @Test
    void reentrantUseWhileOpeningGetsAProvisionalGuard() {
        AtomicReference<SnapshotSafeProvider> self = new AtomicReference<>();
        AtomicReference<GenerationGuard> nested = new AtomicReference<>();
        SnapshotSafeProvider provider = new SnapshotSafeProvider(() -> {
            nested.set(self.get().coordinator().guard()); // what JNA's temp file does, via new SecureRandom()
            return GenerationGuard.watching(device);
        }, false, false);
        self.set(provider);
        assertThat(provider.protectionState()).isEqualTo(ProtectionState.ACTIVE);
        assertThat(nested.get().state()).isEqualTo(ProtectionState.UNSUPPORTED);
        assertThat(nested.get().generation()).isZero();
    }

    @Test
    void theEagerPathDoesNotKeepGeneratorsAlive() throws Exception {
        SnapshotSafeProvider provider = providerOn(device, false, false);
        for (int i = 0; i < 100; i++) {
            draw(SecureRandom.getInstance("DRBG", provider));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (provider.coordinator().liveCount() > 50 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(provider.coordinator().liveCount()).isLessThanOrEqualTo(50);
    }

    private static void awaitEagerReseeds(SnapshotSafeProvider provider, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (provider.statistics().eagerReseeds() < count) {
            assertThat(System.nanoTime()).as("eager reseeds: %s", provider.statistics()).isLessThan(deadline);
            Thread.sleep(2);
        }
    }
}
