/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.reactor;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs jcstress ({@code org.openjdk.jcstress.Main}, same arguments) and exits with status 1 if a
 * test failed or errored: jcstress itself reports a forbidden outcome in its output and the
 * HTML report but exits with 0, so a build could not fail on it.
 */
public final class JcstressGate {

    private JcstressGate() {
    }

    public static void main(String[] args) throws Exception {
        LineWatcher watcher = new LineWatcher(System.out);
        System.setOut(new PrintStream(watcher, true, StandardCharsets.UTF_8));
        org.openjdk.jcstress.Main.main(args);
        System.out.flush();
        if (watcher.failed) {
            System.err.println("jcstress: a test FAILED or ERRORED (see above and the report): failing the build");
            System.exit(1);
        }
    }

    /** Passes everything through and notes a line that reports a failed or errored test. */
    private static final class LineWatcher extends OutputStream {
        private final PrintStream out;
        private final StringBuilder line = new StringBuilder();
        volatile boolean failed;

        LineWatcher(PrintStream out) {
            this.out = out;
        }

        @Override
        public synchronized void write(int b) {
            out.write(b);
            if (b == '\n') {
                String l = line.toString();
                if (l.contains("[FAILED]") || l.contains("[ERROR]")) {
                    failed = true;
                }
                line.setLength(0);
            } else if (line.length() < 4096) {
                line.append((char) b);
            }
        }

        @Override
        public void flush() {
            out.flush();
        }
    }
}
