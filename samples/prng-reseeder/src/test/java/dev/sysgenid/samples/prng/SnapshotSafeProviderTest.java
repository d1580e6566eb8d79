/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.security.Security;
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
import java.util.concurrent.atomic.AtomicInteger;
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

    /**
     * Two SPIs around SHA1PRNGs seeded identically through the provider before their first
     * output (the documented deterministic case): two clones of one memory image.
     */
    private static List<SecureRandom> clones(SnapshotSafeProvider provider) throws NoSuchAlgorithmException {
        return List.of(seededSha1prng(provider), seededSha1prng(provider));
    }

    private static SecureRandom seededSha1prng(SnapshotSafeProvider provider) throws NoSuchAlgorithmException {
        SecureRandom r = SecureRandom.getInstance("SHA1PRNG", provider);
        r.setSeed(HexFormat.of().parseHex("00112233445566778899aabbccddeeff"));
        return r;
    }

    /** A SecureRandom around {@code spi}, as SecureRandom.getInstance builds one. */
    private static SecureRandom around(SecureRandomSpi spi) {
        return new SecureRandom(spi, null) {
            private static final long serialVersionUID = 1L;
        };
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
    void anExplicitlySeededSha1prngKeepsItsSequenceButADrbgSeededSoDoesNot() throws Exception {
        SnapshotSafeProvider provider = providerOn(device, false, false);
        List<SecureRandom> c = clones(provider);
        assertThat(draw(c.get(0))).as("SHA1PRNG's documented deterministic seeding").isEqualTo(draw(c.get(1)));
        byte[] seed = {1, 2, 3, 4};
        SecureRandom d0 = SecureRandom.getInstance("DRBG", provider);
        SecureRandom d1 = SecureRandom.getInstance("DRBG", provider);
        d0.setSeed(seed);
        d1.setSeed(seed);
        assertThat(draw(d0)).as("what new SecureRandom(seed) gets: fresh entropy on the first draw").isNotEqualTo(draw(d1));
        assertThat(provider.statistics().firstDrawSeeds()).isEqualTo(2);
    }

    /**
     * The generation moves while a draw runs (here: from inside the wrapped generator). Two
     * clones, each with its own device, that only checked before the draw return the same
     * bytes; checked again after it, each redoes the draw from its reseeded state.
     */
    @Test
    void aDrawThatStraddlesAGenerationChangeIsRedoneAfterTheReseed() throws Exception {
        List<String> outputs = new ArrayList<>();
        for (int clone = 0; clone < 2; clone++) {
            try (SimulatedDevice own = SimulatedDevice.create()) {
                SnapshotSafeProvider provider = providerOn(own, false, false);
                SecureRandom image = SecureRandom.getInstance("SHA1PRNG", Security.getProvider("SUN"));
                AtomicBoolean bumpInNextDraw = new AtomicBoolean();
                SecureRandom bumping = around(new SecureRandomSpi() {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected void engineSetSeed(byte[] seed) {
                        image.setSeed(seed);
                    }

                    @Override
                    protected void engineNextBytes(byte[] bytes) {
                        image.nextBytes(bytes);
                        if (bumpInNextDraw.getAndSet(false)) {
                            own.bump(); // the restore is reported while these bytes are being made
                        }
                    }

                    @Override
                    protected byte[] engineGenerateSeed(int numBytes) {
                        return image.generateSeed(numBytes);
                    }
                });
                SecureRandom r = around(new SnapshotSafeSecureRandomSpi(bumping, provider.coordinator()));
                r.setSeed(HexFormat.of().parseHex("00112233445566778899aabbccddeeff"));
                draw(r);
                bumpInNextDraw.set(true);
                outputs.add(HexFormat.of().formatHex(draw(r)));
                assertThat(bumpInNextDraw).isFalse();
                assertThat(provider.statistics().inlineReseeds()).isEqualTo(1);
            }
        }
        assertThat(outputs.get(0)).as("each clone redid the draw from its own fresh state").isNotEqualTo(outputs.get(1));
    }

    /** An exception in the eager reseed is logged; the device's epoll loop keeps serving. */
    @Test
    void aFailingEagerReseedDoesNotStopTheEagerPath() throws Exception {
        SnapshotSafeProvider provider = providerOn(device, true, false);
        SecureRandom healthy = SecureRandom.getInstance("DRBG", provider);
        draw(healthy);
        AtomicBoolean fail = new AtomicBoolean();
        SecureRandom sun = SecureRandom.getInstance("SHA1PRNG", Security.getProvider("SUN"));
        SecureRandom failing = around(new SnapshotSafeSecureRandomSpi(around(new SecureRandomSpi() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void engineSetSeed(byte[] seed) {
                if (fail.get()) {
                    throw new IllegalStateException("a reseed that fails");
                }
                sun.setSeed(seed);
            }

            @Override
            protected void engineNextBytes(byte[] bytes) {
                sun.nextBytes(bytes);
            }

            @Override
            protected byte[] engineGenerateSeed(int numBytes) {
                return sun.generateSeed(numBytes);
            }
        }), provider.coordinator()));
        draw(failing);
        fail.set(true);
        long eager = provider.statistics().eagerReseeds();
        device.bump();
        awaitEagerReseeds(provider, eager + 1);
        device.bump();
        awaitEagerReseeds(provider, eager + 2);
        assertThat(provider.isEagerReseedActive()).isTrue();
        Reference.reachabilityFence(failing); // held weakly by the eager path
    }

    @Test
    void aDeserializedGeneratorIsANewOneThatWorks() throws Exception {
        SnapshotSafeProvider provider = providerOn(device, false, false);
        for (String algorithm : List.of("DRBG", "SHA1PRNG")) {
            SecureRandom original = SecureRandom.getInstance(algorithm, provider);
            draw(original);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(original);
            }
            SecureRandom copy;
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                copy = (SecureRandom) in.readObject();
            }
            assertThat(copy.getAlgorithm()).isEqualTo(algorithm);
            assertThat(draw(copy)).as(algorithm).isNotEqualTo(draw(original)).hasSize(16);
            assertThat(draw(copy)).isNotEqualTo(draw(copy));
        }
    }

    /** A first open that fails (the node appears a moment later) does not fix the slow mode for good. */
    @Test
    void aFailedOpenIsRetriedAndRecovers(@TempDir Path dir) throws Exception {
        Path notYet = Files.writeString(dir.resolve("plain"), "");
        AtomicInteger opens = new AtomicInteger();
        SnapshotSafeProvider provider = new SnapshotSafeProvider(
                () -> opens.getAndIncrement() == 0 ? GenerationGuard.open(notYet) : GenerationGuard.watching(device), true, false);
        SecureRandom drbg = SecureRandom.getInstance("DRBG", provider);
        draw(drbg);
        assertThat(provider.protectionState()).isEqualTo(ProtectionState.FAILED);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (provider.protectionState() != ProtectionState.ACTIVE) {
            assertThat(System.nanoTime()).as("still FAILED after %s opens", opens.get()).isLessThan(deadline);
            draw(drbg);
            Thread.sleep(20);
        }
        assertThat(provider.isEagerReseedActive()).isTrue();
        long everyCall = provider.statistics().everyCallReseeds();
        draw(drbg);
        draw(drbg);
        assertThat(provider.statistics().everyCallReseeds()).as("the fast path again").isEqualTo(everyCall);
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
        assertThat(provider.statistics()).isEqualTo(new ReseedStatistics(1, 1, 2, 0, 0));
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
        assertThat(provider.statistics()).isEqualTo(new ReseedStatistics(1, 0, 0, 0, 0));
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
        assertThat(provider.statistics().firstDrawSeeds()).isEqualTo(1);
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

    /**
     * The first-use deadlock of the properties route, modelled: the thread opening the device
     * waits for another thread (as JNA's loading waits for a class another thread initialises),
     * and that thread, inside its initialiser, asks the provider for a SecureRandom. It must
     * get one at once (provisional), not wait for the opener.
     */
    @Test
    void anotherThreadNeverWaitsForTheOpenOfTheDevice() throws Exception {
        AtomicReference<SnapshotSafeProvider> self = new AtomicReference<>();
        AtomicReference<byte[]> otherThreadsDraw = new AtomicReference<>();
        AtomicBoolean servedWhileOpening = new AtomicBoolean();
        SnapshotSafeProvider provider = new SnapshotSafeProvider(() -> {
            Thread initialiser = new Thread(() -> {
                try {
                    otherThreadsDraw.set(draw(SecureRandom.getInstance("DRBG", self.get())));
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            });
            initialiser.start();
            try {
                initialiser.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            servedWhileOpening.set(otherThreadsDraw.get() != null);
            return GenerationGuard.watching(device);
        }, false, false);
        self.set(provider);
        assertThat(provider.protectionState()).isEqualTo(ProtectionState.ACTIVE);
        assertThat(servedWhileOpening).as("the other thread got its SecureRandom while the device was opened")
                .isTrue();
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
