/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Adversarial review of issue 16: the loop catches only RuntimeException and Error, but a
 * listener written in Kotlin, Groovy or Scala (or Java with a sneaky throw) throws checked
 * exceptions freely. On the loop thread (a direct executor) such a throw escapes every catch
 * of EpollLoop, run() included: the loop thread dies without its shutdown, so the other
 * registrations go deaf, no onTerminated is told, and the epoll fd, the eventfd and every
 * watcher stay open.
 */
class R16bCheckedThrowTest {

    @Test
    void aListenerThrowingACheckedExceptionOnTheLoopEndsOnlyItsRegistration() throws Exception {
        try (SimulatedDevice dev = SimulatedDevice.create()) {
            EpollLoop loop = dev.loop();
            BlockingQueue<Integer> bystanderSeen = new LinkedBlockingQueue<>();
            BlockingQueue<Throwable> terminated = new LinkedBlockingQueue<>();
            LoopRegistration bystander = loop.register(dev.openWatcher(), Runnable::run, (r, g) -> {
                bystanderSeen.add(g);
                r.acknowledge(g);
            });
            loop.register(dev.openWatcher(), Runnable::run, new GenerationListener() {
                @Override
                public void onGeneration(LoopRegistration registration, int generation) {
                    throw R16bCheckedThrowTest.<RuntimeException>sneaky(new IOException("re-keying failed"));
                }

                @Override
                public void onTerminated(SysgenidException cause) {
                    terminated.add(cause);
                }
            });
            int g1 = dev.bump();
            assertThat(bystanderSeen.poll(5, TimeUnit.SECONDS)).isEqualTo(g1);
            assertThat(terminated.poll(5, TimeUnit.SECONDS)).as("the throwing registration was told it ended").isNotNull();
            int g2 = dev.bump();
            assertThat(bystanderSeen.poll(5, TimeUnit.SECONDS)).as("the loop serves the others (alive: " + loop.isAlive() + ")")
                    .isEqualTo(g2);
            bystander.close();
        }
    }

    /**
     * At close, the shutdown tells each registration on its executor; a direct executor runs
     * onTerminated inline, and a checked exception from it escapes fail() and the shutdown:
     * the registrations after it are never ended (their watchers stay open) and the loop's
     * eventfd and epoll fd are never closed.
     */
    @Test
    void anOnTerminatedThrowingACheckedExceptionDoesNotStopTheShutdown() throws Exception {
        try (SimulatedDevice dev = SimulatedDevice.create()) {
            EpollLoop loop = dev.loop();
            Watcher first = dev.openWatcher();
            Watcher second = dev.openWatcher(); // a higher fd: ended after the first
            loop.register(first, Runnable::run, new GenerationListener() {
                @Override
                public void onGeneration(LoopRegistration registration, int generation) {
                    registration.acknowledge(generation);
                }

                @Override
                public void onTerminated(SysgenidException cause) {
                    throw R16bCheckedThrowTest.<RuntimeException>sneaky(new IOException("cleanup failed"));
                }
            });
            BlockingQueue<SysgenidException> secondEnded = new LinkedBlockingQueue<>();
            loop.register(second, Runnable::run, new GenerationListener() {
                @Override
                public void onGeneration(LoopRegistration registration, int generation) {
                    registration.acknowledge(generation);
                }

                @Override
                public void onTerminated(SysgenidException cause) {
                    secondEnded.add(cause);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (loop.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            loop.close();
            assertThat(secondEnded.poll(5, TimeUnit.SECONDS)).as("the second registration was told the loop closed")
                    .isNotNull();
            assertThat(second.isClosed()).as("the second watcher was closed").isTrue();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
