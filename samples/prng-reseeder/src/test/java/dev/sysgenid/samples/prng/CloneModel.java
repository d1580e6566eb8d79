/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.lang.reflect.Field;
import java.security.SecureRandom;
import java.security.Security;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.sysgenid.SimulatedDevice;

/**
 * Two clones of one VM snapshot, modelled in one JVM (run as a child JVM by
 * {@link CloneModelTest}, with the {@code --add-opens} that {@link MemoryImage} needs).
 *
 * <p>Life before the snapshot: the provider (or not: {@code stock}) is installed first, DRBG,
 * SHA1PRNG and the default {@code SecureRandom} are created and used. The snapshot: a
 * {@link MemoryImage} of the JDK's generator state and of those generators. Each clone: the
 * restore is reported (a bump of the simulated device), the eager reseed is done, then the
 * first {@code UUID.randomUUID()} of the JVM, draws from the generators created before, and
 * draws from new generators of each algorithm. Between the clones the image is restored.
 * {@code UUID.randomUUID()} creates its generator once per JVM, so the second clone does what
 * its first call does ({@code new SecureRandom()}, 16 bytes, the version bits), by hand.
 * The provider's list of live generators is part of the image too: the generators the first
 * clone created do not exist in the second. Prints {@code KEY equal|differ} for each draw,
 * then {@code KEY.a}/{@code KEY.b} values.
 */
public final class CloneModel {

    private CloneModel() {
    }

    public static void main(String[] args) throws Exception {
        boolean withProvider = args.length > 0 && args[0].equals("provider");
        SimulatedDevice device = SimulatedDevice.create(); // loads JNA while SUN is still the default
        SnapshotSafeProvider provider = null;
        if (withProvider) {
            provider = new SnapshotSafeProvider(() -> GenerationGuard.watching(device), false, false);
            Security.insertProviderAt(provider, 1);
        }
        SecureRandom drbg = SecureRandom.getInstance("DRBG");
        SecureRandom sha1prng = SecureRandom.getInstance("SHA1PRNG");
        SecureRandom standard = new SecureRandom();
        for (SecureRandom r : new SecureRandom[] {drbg, sha1prng, standard}) {
            hex(r);
        }
        MemoryImage snapshot = MemoryImage.capture(drbg, sha1prng, standard);
        Set<Object> live = provider == null ? new HashSet<>() : liveGenerators(provider);
        List<Object> liveAtSnapshot = new ArrayList<>(live);
        Map<String, String> a = restoredClone(device, provider, true, drbg, sha1prng, standard);
        snapshot.restore();
        // the generators the first clone created do not exist in the second: not for the eager path either
        synchronized (live) {
            live.removeIf(g -> liveAtSnapshot.stream().noneMatch(s -> s == g));
        }
        Map<String, String> b = restoredClone(device, provider, false, drbg, sha1prng, standard);
        for (String key : a.keySet()) {
            System.out.println(key + " " + (a.get(key).equals(b.get(key)) ? "equal" : "differ"));
        }
        a.forEach((k, v) -> System.out.println(k + ".a " + v));
        b.forEach((k, v) -> System.out.println(k + ".b " + v));
        System.out.println("provider " + standard.getProvider().getName() + "/" + standard.getAlgorithm());
    }

    private static Map<String, String> restoredClone(SimulatedDevice device, SnapshotSafeProvider provider,
                                                     boolean firstInJvm, SecureRandom drbg, SecureRandom sha1prng,
                                                     SecureRandom standard) throws Exception {
        device.bump();
        if (provider != null) {
            provider.coordinator().reseedAll(); // what the eager watcher does on the bump
        }
        Map<String, String> out = new LinkedHashMap<>();
        out.put("uuid-first", firstInJvm ? UUID.randomUUID().toString() : CloneDemo.firstRandomUuid().toString());
        out.put("drbg-before", hex(drbg));
        out.put("sha1prng-before", hex(sha1prng));
        out.put("default-before", hex(standard));
        out.put("drbg-after", hex(SecureRandom.getInstance("DRBG")));
        out.put("sha1prng-after", hex(SecureRandom.getInstance("SHA1PRNG")));
        out.put("default-after", hex(new SecureRandom()));
        return out;
    }

    /** The provider's weak set of live generators (the eager path's list), as it is in memory. */
    @SuppressWarnings("unchecked")
    private static Set<Object> liveGenerators(SnapshotSafeProvider provider) throws ReflectiveOperationException {
        Field f = ReseedCoordinator.class.getDeclaredField("live");
        f.setAccessible(true);
        return (Set<Object>) f.get(provider.coordinator());
    }

    private static String hex(SecureRandom r) {
        byte[] b = new byte[16];
        r.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
