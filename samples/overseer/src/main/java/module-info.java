/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * {@code sysgenid-overseer}, the command-line overseer. Runs on the class path ({@code java -jar})
 * and on the module path ({@code java --module-path ... -m dev.sysgenid.samples.overseer}).
 */
@SuppressWarnings("requires-automatic") // JNA is an automatic module
module dev.sysgenid.samples.overseer {
    requires dev.sysgenid;
    requires info.picocli;
    // the kernel RNG reseed's ioctls (RNDADDENTROPY, RNDRESEEDCRNG)
    requires com.sun.jna;

    // picocli sets the commands' annotated fields reflectively
    opens dev.sysgenid.samples.overseer to info.picocli;
}
