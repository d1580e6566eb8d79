/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.e2e;

import java.util.function.Supplier;

import dev.sysgenid.GenerationDevice;

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

    /**
     * A check of the driver's watcher counts: made where the driver reports them (this
     * project's module); where it does not (the production driver), a NOTE line says that it
     * was not made, and nothing counts as passed. Every such check sits next to one that the
     * library's API judges on any driver (the overseer's wait, the listener's calls).
     */
    boolean checkCounts(GenerationDevice device, Condition ok, Supplier<String> text) throws InterruptedException {
        if (device.counts().isEmpty()) {
            say("NOTE not checked (" + device.driver().description() + " reports no counts): " + text.get());
            return true;
        }
        boolean holds = ok.holds();
        return check(holds, text.get()); // the text after the condition: it shows the counts it waited for
    }

    /** A condition that may wait. */
    interface Condition {
        boolean holds() throws InterruptedException;
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
