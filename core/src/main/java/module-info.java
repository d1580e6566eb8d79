/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * The System Generation ID device ({@code /dev/sysgenid}) from Java: watchers, one epoll loop
 * per device, the mapped counter page, the overseer's trigger and wait, and a simulated device.
 * The API is {@code dev.sysgenid}, and {@code dev.sysgenid.blockhound} for BlockHound users. The
 * system calls go through JNA ({@code com.sun.jna}).
 */
// module: dev.sysgenid.reactor is built after this module; requires-automatic: JNA and BlockHound
// are automatic modules (their jars name themselves)
@SuppressWarnings({"module", "requires-automatic"})
module dev.sysgenid {
    requires com.sun.jna;
    // sun.misc.Unsafe: the probe's one-load read of the counter page up to JDK 23
    requires jdk.unsupported;
    requires static reactor.blockhound;

    exports dev.sysgenid;
    // BlockHound's integration: found through META-INF/services on the class path, installed by
    // hand on the module path (a 'provides' of a service type from an optional module would
    // stop the module from resolving wherever BlockHound is absent)
    exports dev.sysgenid.blockhound;
    // the epoll loop's turn-wise hand-off, implemented by the Reactor adapter's delivery lanes
    exports dev.sysgenid.internal.turn to dev.sysgenid.reactor;
}
