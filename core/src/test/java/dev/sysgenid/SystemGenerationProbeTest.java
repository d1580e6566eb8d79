/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.RandomAccessFile;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process-wide probe initialises once per JVM, so each case runs in a child JVM with
 * {@code -Dsysgenid.device} pointing at a page-sized file that stands in for the device.
 */
class SystemGenerationProbeTest {

    @TempDir
    Path dir;

    /** The child: prints state and generation, then again after each line on stdin. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            int seen = SystemGenerationProbe.generation();
            System.out.println(SystemGenerationProbe.state() + " " + Integer.toUnsignedString(seen));
            while (in.readLine() != null) {
                System.out.println(SystemGenerationProbe.hasChangedSince(seen) + " "
                        + Integer.toUnsignedString(SystemGenerationProbe.generation()));
            }
        }
    }

    @Test
    void anActivePageIsReadLiveFromItsConstantAddress() throws Exception {
        Path page = dir.resolve("page");
        writeCounter(page, 7);
        List<String> out = runChild(page, proc -> {
            writeCounter(page, 0xFFFF_FFFF);
            return "next";
        });
        assertThat(out).containsExactly("ACTIVE 7", "true 4294967295");
    }

    @Test
    void withoutTheDeviceItFailsOpenAndNeverReportsAChange() throws Exception {
        List<String> out = runChild(dir.resolve("absent"), proc -> "next");
        assertThat(out).containsExactly("UNSUPPORTED 0", "false 0");
    }

    @Test
    void aPathThatCannotBeMappedIsFailed() throws Exception {
        List<String> out = runChild(Path.of("/dev/null"), proc -> "next");
        assertThat(out).containsExactly("FAILED 0", "false 0");
    }

    private static void writeCounter(Path page, int value) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(page.toFile(), "rw")) {
            f.setLength(dev.sysgenid.internal.LibC.pageSize());
            f.seek(0);
            f.write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
        }
    }

    interface Step {
        String between(Process p) throws Exception;
    }

    private static List<String> runChild(Path device, Step step) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Dsysgenid.device=" + device,
                "-cp", System.getProperty("java.class.path")));
        if (Runtime.version().feature() >= 22) {
            cmd.add(1, "--enable-native-access=ALL-UNNAMED");
        }
        cmd.add(Child.class.getName());
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
            lines.add(out.readLine());
            in.write(step.between(p) + "\n");
            in.flush();
            lines.add(out.readLine());
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return lines;
    }
}
