/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.prng;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;

/**
 * The check behind the properties route's one pitfall: {@code security.provider.1=} in an
 * override file replaces the JDK's first entry, so a file written for one JDK's list can drop a
 * provider that another distribution lists. Compares the provider list in effect (the security
 * properties, as strings: no provider is loaded) with the JDK's own
 * {@code conf/security/java.security} and names every entry of the latter that is gone.
 * Only when this provider was put in the list by a properties file.
 */
final class SecurityPropertiesCheck {

    private SecurityPropertiesCheck() {
    }

    /** Logs a WARNING naming the JDK's providers missing from the list in effect, if any. */
    static void warnIfProvidersWereDropped(System.Logger log) {
        List<String> inEffect = providerList(Security::getProperty);
        if (inEffect.stream().noneMatch(SecurityPropertiesCheck::isThisProvider)) {
            return; // not the properties route (the agent inserts, it replaces nothing)
        }
        Properties jdk = new Properties();
        Path file = Path.of(System.getProperty("java.home"), "conf", "security", "java.security");
        try (InputStream in = Files.newInputStream(file)) {
            jdk.load(in);
        } catch (IOException e) {
            return; // no file to compare with: nothing to say
        }
        List<String> dropped = missing(providerList(jdk::getProperty), inEffect);
        if (!dropped.isEmpty()) {
            log.log(Level.WARNING, "SnapshotSafe: the java.security.properties file dropped " + dropped
                    + " from this JDK's provider list (" + file + "); generate the file from this JDK's own"
                    + " list (samples/prng-reseeder/README.md, 'Install it'), or use the -javaagent route");
        }
    }

    /** Entries of {@code jdk} that are not in {@code inEffect}, compared by their first word. */
    static List<String> missing(List<String> jdk, List<String> inEffect) {
        List<String> names = inEffect.stream().map(SecurityPropertiesCheck::firstWord).toList();
        List<String> out = new ArrayList<>();
        for (String entry : jdk) {
            if (!names.contains(firstWord(entry))) {
                out.add(entry);
            }
        }
        return out;
    }

    /** {@code security.provider.1}, {@code .2}, ... up to the first gap, as the JDK reads them. */
    static List<String> providerList(Function<String, String> property) {
        List<String> list = new ArrayList<>();
        for (int i = 1; ; i++) {
            String entry = property.apply("security.provider." + i);
            if (entry == null || entry.isBlank()) {
                return list;
            }
            list.add(entry.trim());
        }
    }

    private static boolean isThisProvider(String entry) {
        String name = firstWord(entry);
        return name.equals(SnapshotSafeProvider.NAME) || name.equals(SnapshotSafeProvider.class.getName());
    }

    private static String firstWord(String entry) {
        int space = entry.indexOf(' ');
        return space < 0 ? entry : entry.substring(0, space);
    }
}
