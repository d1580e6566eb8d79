/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.e2e;

/**
 * Result lines for the host harness: {@code CHECK ok - text} / {@code CHECK not-ok - text};
 * kernel-module/vm/run e2e turns them into numbered TAP lines.
 */
final class Checks {

    private int failed;

    boolean check(boolean ok, String text) {
        System.out.println("CHECK " + (ok ? "ok" : "not-ok") + " - " + text);
        System.out.flush();
        if (!ok) {
            failed++;
        }
        return ok;
    }

    void fail(String text, Throwable t) {
        check(false, text + ": " + t);
        t.printStackTrace(System.out);
    }

    int failed() {
        return failed;
    }

    int exitCode() {
        return failed == 0 ? 0 : 1;
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
