/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.overseer;

import java.io.PrintWriter;

import dev.sysgenid.DevicePermissionException;
import dev.sysgenid.SysgenidException;

/**
 * Prints a command's results either as text for people or as one JSON object per line for
 * scripts. Results go to standard output; failures go to standard error as text, or to standard
 * output as a JSON object with {@code "error"}, {@code "exitCode"} and {@code "message"}.
 * Each line is flushed as it is printed, so {@code watch} output can be piped. Thread-safe:
 * each line is one call on a {@link PrintWriter}, which locks.
 */
final class Reporter {

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;

    Reporter(PrintWriter out, PrintWriter err, boolean json) {
        this.out = out;
        this.err = err;
        this.json = json;
    }

    boolean isJson() {
        return json;
    }

    /** Prints {@code text} for people, or {@code object} for scripts. */
    void result(String text, JsonObject object) {
        out.println(json ? object.toString() : text);
        out.flush();
    }

    /** A failure with its exit status; the permission case also prints the udev rule. */
    void failure(ExitCode code, SysgenidException failure) {
        if (json) {
            JsonObject o = new JsonObject()
                    .put("error", code.label())
                    .put("exitCode", code.code())
                    .put("message", failure.getMessage());
            if (failure instanceof DevicePermissionException) {
                o.put("udevRule", DevicePermissionException.UDEV_RULE);
            }
            out.println(o);
            out.flush();
            return;
        }
        err.println("sysgenid-overseer: " + failure.getMessage());
        if (failure instanceof DevicePermissionException) {
            err.println("udev rule: " + DevicePermissionException.UDEV_RULE);
        }
        err.flush();
    }

    /** A one-line note for people on standard error; nothing under {@code --json}. */
    void note(String text) {
        if (!json) {
            err.println(text);
            err.flush();
        }
    }
}
