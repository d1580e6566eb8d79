/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import dev.sysgenid.internal.LibC;
import dev.sysgenid.internal.SimulatedKernel;

/**
 * The simulated production driver with a hook that runs on the adding thread right after each
 * successful EPOLL_CTL_ADD of one of its files: for tests that put an acknowledgement between
 * the epoll loop's ADD and its look at the watcher, the one window no other means reaches.
 */
final class AddHookDevice extends WrappedKernelDevice {

    private AddHookDevice(Runnable afterAdd) {
        super(new SimulatedKernel(0, DriverProfile.PRODUCTION), "add-hook", file -> new ForwardingFile(file) {
            @Override
            public int epollCtl(int epfd, int op, long event) {
                int r = super.epollCtl(epfd, op, event);
                if (r == 0 && op == LibC.EPOLL_CTL_ADD) {
                    afterAdd.run();
                }
                return r;
            }
        });
    }

    /** At generation 0; {@code afterAdd} runs after every ADD of a file of this device. */
    static AddHookDevice create(Runnable afterAdd) {
        return new AddHookDevice(afterAdd);
    }

    int bump() {
        return (int) kernel.bumpUnlessClosed(0);
    }
}
