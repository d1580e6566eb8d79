/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.OptionalInt;
import java.util.UUID;

import dev.sysgenid.GenerationDevice;
import dev.sysgenid.SysgenidException;
import dev.sysgenid.Watcher;

/**
 * The clone problem, made visible: draws from DRBG, SHA1PRNG, the default {@code SecureRandom},
 * {@code UUID.randomUUID()} and a fixed-seed {@link SnapshotSafeSplittableRandom}; prints the
 * marker line; blocks until the system generation moves (the harness snapshots the VM at the
 * marker and restores it, several times); then draws again from the same instances ("after"),
 * and then from NEW generators created only now, after the change was observed ("fresh"): a
 * DRBG, a SHA1PRNG, a default {@code SecureRandom} and a first UUID. Without the provider,
 * every restored clone prints the same "after" DRBG and SHA1PRNG values, and the same "fresh"
 * ones too (a new SUN DRBG or SHA1PRNG instantiates from JDK state every clone shares); with
 * it, they differ.
 *
 * <p>Run it as an unchanged application: {@code java -javaagent:sysgenid-prng-reseeder-all.jar
 * -cp sysgenid-prng-reseeder-all.jar dev.sysgenid.samples.prng.CloneDemo}. Options:
 * {@code --device PATH} (default {@code /dev/sysgenid}), {@code --timeout SECONDS} (default
 * 300), {@code --marker TEXT} (default {@code CLONE-DEMO-READY}).
 *
 * <p>Output, one record per line, space-separated: {@code clone-demo PHASE KEY VALUE}, where
 * PHASE is {@code before}, {@code after}, {@code fresh} or {@code info}; values are lower-case
 * hex, a UUID, or {@code key=value} pairs for {@code info}. {@code before} and {@code after}
 * have the KEYs {@code drbg sha1prng default uuid splittable}; {@code fresh} has
 * {@code drbg sha1prng default uuid} (a new fixed-seed splittable would repeat by design). The
 * {@code fresh uuid} is what the first {@code UUID.randomUUID()} of a JVM does, done by hand
 * ({@code new SecureRandom()}, 16 bytes, the version and variant bits): {@code UUID} creates
 * its generator once per JVM, and the {@code before} phase has already made that call. Exit status: 0 done; 1 usage; 2 no usable device
 * (nothing to wait for); 3 the generation did not move within the timeout.
 */
public final class CloneDemo {

    private static final String PREFIX = "clone-demo";
    private static final long SPLITTABLE_SEED = 0x5eed_c10e_d3e0L;

    private final PrintStream out;
    private final SecureRandom drbg;
    private final SecureRandom sha1prng;
    private final SecureRandom standard;
    private final SnapshotSafeSplittableRandom splittable;

    private CloneDemo(PrintStream out, GenerationGuard guard) throws NoSuchAlgorithmException {
        this.out = out;
        this.drbg = SecureRandom.getInstance("DRBG");
        this.sha1prng = SecureRandom.getInstance("SHA1PRNG");
        this.standard = new SecureRandom();
        this.splittable = new SnapshotSafeSplittableRandom(guard, SPLITTABLE_SEED);
    }

    /**
     * Runs the demo; see the class comment for options, output and exit status.
     *
     * @param args the options (see the class comment)
     * @throws Exception whatever the demo could not handle: the JVM reports it
     */
    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Path device = GenerationDevice.DEFAULT_PATH;
        Duration timeout = Duration.ofSeconds(300);
        String marker = "CLONE-DEMO-READY";
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                err.println("clone-demo: " + option + " needs a value; options: --device PATH --timeout SECONDS --marker TEXT");
                return 1;
            }
            String value = args[++i];
            switch (option) {
                case "--device" -> device = Path.of(value);
                case "--marker" -> marker = value;
                case "--timeout" -> {
                    try {
                        timeout = Duration.ofSeconds(Long.parseLong(value));
                    } catch (NumberFormatException e) {
                        err.println("clone-demo: --timeout takes whole seconds, not '" + value + "'");
                        return 1;
                    }
                }
                default -> {
                    err.println("clone-demo: unknown option " + option + "; options: --device PATH --timeout SECONDS --marker TEXT");
                    return 1;
                }
            }
        }
        try (GenerationGuard guard = GenerationGuard.open(device)) {
            CloneDemo demo = new CloneDemo(out, guard);
            demo.info("guard", "state=" + guard.state() + " device=" + guard.deviceName()
                    + " generation=" + Integer.toUnsignedString(guard.generation()));
            demo.info("providers", demo.providers());
            demo.draw("before");
            if (guard.device().isEmpty()) {
                err.println("clone-demo: " + guard.describe());
                return 2;
            }
            try (Watcher watcher = guard.device().get().openWatcher()) {
                out.println(marker);
                out.flush();
                OptionalInt next = watcher.read(timeout);
                if (next.isEmpty()) {
                    err.println("clone-demo: the generation did not move within " + timeout.toSeconds() + "s");
                    return 3;
                }
                watcher.acknowledge(next.getAsInt());
                demo.info("moved", "generation=" + Integer.toUnsignedString(next.getAsInt()));
            } catch (SysgenidException e) {
                err.println("clone-demo: " + e.getMessage());
                return 2;
            }
            demo.draw("after");
            demo.drawFresh();
            demo.info("reseeds", demo.reseeds());
            return 0;
        }
    }

    private void draw(String phase) {
        record(phase, "drbg", hex(drbg, 16));
        record(phase, "sha1prng", hex(sha1prng, 16));
        record(phase, "default", hex(standard, 16));
        record(phase, "uuid", UUID.randomUUID().toString());
        record(phase, "splittable", String.format("%016x", splittable.nextLong()));
        out.flush();
    }

    /** New generators, created now that the change was observed: the {@code fresh} phase. */
    private void drawFresh() throws NoSuchAlgorithmException {
        record("fresh", "drbg", hex(SecureRandom.getInstance("DRBG"), 16));
        record("fresh", "sha1prng", hex(SecureRandom.getInstance("SHA1PRNG"), 16));
        record("fresh", "default", hex(new SecureRandom(), 16));
        record("fresh", "uuid", firstRandomUuid().toString());
        out.flush();
    }

    /** What {@code UUID.randomUUID()} does on its first call in a JVM; see the class comment. */
    static UUID firstRandomUuid() {
        return randomUuid(new SecureRandom());
    }

    /** What {@code UUID.randomUUID()} does, with the generator passed in. */
    static UUID randomUuid(SecureRandom random) {
        byte[] b = new byte[16];
        random.nextBytes(b);
        b[6] = (byte) (b[6] & 0x0f | 0x40);
        b[8] = (byte) (b[8] & 0x3f | 0x80);
        ByteBuffer buf = ByteBuffer.wrap(b);
        return new UUID(buf.getLong(), buf.getLong());
    }

    private String providers() {
        return "drbg=" + drbg.getProvider().getName() + " sha1prng=" + sha1prng.getProvider().getName()
                + " default=" + standard.getProvider().getName() + "/" + standard.getAlgorithm();
    }

    private String reseeds() {
        String splittableReseeds = " splittable=" + splittable.reseeds();
        return SnapshotSafeProvider.installed().map(p -> {
            ReseedStatistics r = p.statistics();
            return "firstDraw=" + r.firstDrawSeeds() + " inline=" + r.inlineReseeds() + " eager=" + r.eagerReseeds() + " everyCall=" + r.everyCallReseeds();
        }).orElse("provider=absent") + splittableReseeds;
    }

    private void info(String key, String value) {
        record("info", key, value);
    }

    private void record(String phase, String key, String value) {
        out.println(PREFIX + " " + phase + " " + key + " " + value);
    }

    private static String hex(SecureRandom random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
