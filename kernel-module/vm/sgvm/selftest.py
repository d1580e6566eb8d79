"""run selftest: the driver in a guest. Boot 1: the kernel booted (its release and preemption
model), the device, sysfs, the JRE, the driver's C
tests (sysgenid_selftest, its -m32 build, sysgenid_stress, sysgenid_fuzz), rmmod, a kmemleak scan on a kernel
that has it, a clean dmesg. Boot 2: a reader blocked in read() while the host saves the guest
and restores it three times: clones 1 and 2 with new guids (the reader wakes with generation + 1,
acks, the kernel logged the VM fork, the clones' urandom differs), clone 3 with the origin's own
guid (nothing moves). fuzz: sysgenid_fuzz runs while the host saves the guest and restores it
several times in a chain (new guids); it must end cleanly, every restore bumps the counter, the
counts return to zero, rmmod, kmemleak and dmesg clean. hardirq: the test-only build calls the
VM-fork notifier from hard IRQ; the counter moves, nothing splats; rmmod while notifications are
still firing leaves nothing; the same build made to fail
at the last step of init (fail_init): no device node while init runs, nothing left after.
detector (debug kernels only): the deliberately broken build (the old callback, which takes the
mutex in hard IRQ) must make the kernel report "sleeping function called from invalid context":
the proof that a clean debug run means something."""
from __future__ import annotations

import random
import re
import subprocess
import time

from . import build
from .config import GUEST, KMOD, env_int, jdk
from .qemu import guest_env, snapshots
from .report import Report, indent, note

STAGES = ("boot1", "snapshot", "fuzz", "hardirq", "detector")
HARDIRQ_SHOTS = 50
WATCH_TIMEOUT = 10


def run(rep: Report, k: build.Kernel, stages, ctx) -> None:
    out = ctx.out
    t = time.monotonic()
    tests = ctx.step(lambda: build.build_tests(out / "build.log"),
                     "build: tests/sysgenid_selftest (and -m32) and tests/sysgenid_stress") or []
    debug = build.is_debug(k)
    kmemleak = build.kconfig(k, "CONFIG_DEBUG_KMEMLEAK", "!CONFIG_DEBUG_KMEMLEAK_DEFAULT_OFF")
    rt = build.kconfig(k, "CONFIG_PREEMPT_RT")
    slow = build.slowdown(k)
    if {"hardirq", "detector"} & set(stages):
        tests += ctx.step(lambda: [build.build_module(k, out / "build.log", test=t) for t in (1, 2)],
                          f"build: the test-only module builds against {k.name} (SYSGENID_TEST=1 and 2)") or []
    harness_check(rep)
    j = jdk()
    img = ctx.step(lambda: build.build_image(f"selftest-{k.name}", k, ctx.ko, ctx.helpers + tests, j,
                                             files=build.build_hello(j)),
                   lambda i: f"build: guest image ({i.boot.name}, JDK {j.feature})", "build: guest image")
    rep.timed("guest image build", t)
    if img is None:
        return
    fuzz_seed = env_int("FUZZ_SEED", random.randrange(1, 2**31))
    genv = guest_env(img, {"SGVM_STRESS_THREADS": env_int("STRESS_THREADS", 4),
                           "SGVM_STRESS_SECONDS": env_int("STRESS_SECONDS", 10),
                           "SGVM_TEST_TIMEOUT_S": env_int("TEST_TIMEOUT_S", 30), "SGVM_WATCH_TIMEOUT": WATCH_TIMEOUT,
                           "SGVM_EXPECT_BACKEND": "vmfork", "SGVM_HARDIRQ_SHOTS": HARDIRQ_SHOTS,
                           "SGVM_FUZZ_SEED": fuzz_seed, "SGVM_FUZZ_SECONDS": env_int("FUZZ_SECONDS", 20),
                           "SGVM_FUZZ_RESTORES": env_int("FUZZ_RESTORES", 3),
                           "SGVM_FUZZ_RESTORE_SECONDS": env_int("FUZZ_RESTORE_SECONDS", 60),
                           "SGVM_KERNEL_RELEASE": build.release(k), "SGVM_KERNEL_RT": int(rt)})
    note(f"fuzzer seed {fuzz_seed} (SGVM_FUZZ_SEED={fuzz_seed} repeats its choices)")
    if "boot1" in stages:
        t = time.monotonic()
        r = ctx.step(lambda: snapshots(img, GUEST / "selftest.sh", out / "boot1", genv, timeout=240 * slow).origin,
                           "guest: boot 1 ran its script")
        if r:
            rep.check(r.module == "loaded", f"guest: insmod sysgenid.ko ({r.module or 'no report'})")
            # its eleven steps and dmesg_clean: 12 checks on every kernel; 13 on a kernel with
            # kmemleak enabled at boot (the debug kernel; not Debian's), whose scan is one more
            rep.finished(r, "guest", 13 if kmemleak else 12)
            if kmemleak:
                rep.check(any("kmemleak" in text for _, text in r.out.checks),
                          "guest: the kernel has kmemleak: its scan ran")
            splats(rep, r, "boot 1")
        rep.timed("boot 1 total", t)
    if "snapshot" in stages:
        t = time.monotonic()
        s = ctx.step(lambda: snapshots(img, GUEST / "snapshot.sh", out / "boot2", genv, levels=1, clones=3,
                                             guids=(None, None, "origin"), timeout=180 * slow),
                           lambda s: f"snapshot: saved the running guest ({s.state_bytes >> 20} MiB) and "
                                     f"restored it {len(s.clones)} times (save {s.restores[0].save_seconds} s, "
                                     f"restores {[x.restore_seconds for x in s.restores]} s)",
                     "snapshot: save and three restores")
        if s:
            clones(rep, s)
            for x in s.results:
                splats(rep, x, f"boot 2 {x.name}")
        rep.timed("boot 2 total", t)
    if "fuzz" in stages:
        t = time.monotonic()
        fuzz(rep, ctx, img, genv, slow, debug)
        rep.timed("fuzz across restores total", t)
    if "hardirq" in stages:
        t = time.monotonic()
        r = ctx.step(lambda: snapshots(img, GUEST / "hardirq.sh", out / "hardirq",
                                       dict(genv, SGVM_HARDIRQ_KO="sysgenid_test1.ko"), timeout=180 * slow).origin,
                     "hardirq: the guest ran the test-only module")
        if r:
            # its 27 steps and checks (3 of them the refused write during rmmod, 1 the refused
            # write at insmod, 1 more bumps than a rate-limited printk allows, 5 the rmmod with
            # notifications in flight) and dmesg_clean; on a kernel with kmemleak its scan too
            rep.finished(r, "hardirq", 29 if debug else 28)
            splats(rep, r, "hardirq")
        rep.timed("hardirq total", t)
    if "detector" in stages and debug:
        t = time.monotonic()
        r = ctx.step(lambda: snapshots(img, GUEST / "hardirq.sh", out / "detector",
                                       dict(genv, SGVM_HARDIRQ_KO="sysgenid_test2.ko", SGVM_HARDIRQ_EXPECT="splat",
                                            SGVM_HARDIRQ_SHOTS=1), timeout=180 * slow).origin,
                     "detector: the guest ran the deliberately broken module")
        if r:
            rep.guest(r.out, "detector: ")
            # from /init's report only, which a guest that hung or panicked after the splat never makes
            reported = r.out.init.get("DMESG", [])
            want = [line for line in reported if "sleeping function called from invalid context" in line]
            rep.check(r.status == 0 and bool(want), f"detector: the guest finished (status {r.status}) and the debug "
                      "kernel's splat reached /init's dmesg check ("
                      + (want[0] if want else f"{len(reported)} bad lines") + ")")
        rep.timed("detector total", t)
    elif "detector" in stages:
        note(f"detector: {k.name} has no CONFIG_DEBUG_ATOMIC_SLEEP; the check runs on the debug kernel")


def fuzz(rep: Report, ctx, img, genv: dict, slow: int, debug: bool) -> None:
    """sysgenid_fuzz across a chain of real restores (guest/fuzz.sh): the script prints
    FUZZ-RESTORE k while the fuzzer runs; the host saves the guest there and resumes it with a
    new guid. The last clone ends the script: the fuzzer's three results and its calls per kind,
    one VM fork and one bump per restore, the counts at zero, rmmod, kmemleak, dmesg."""
    n, secs = genv["SGVM_FUZZ_RESTORES"], genv["SGVM_FUZZ_RESTORE_SECONDS"]
    s = ctx.step(lambda: snapshots(img, GUEST / "fuzz.sh", ctx.out / "fuzz", genv, levels=n,
                                   marker="FUZZ-RESTORE {k}", timeout=(secs + 180) * slow, on_restore=lambda x: note(
                                       f"fuzz: restore {x.level + 1}/{n}: guid {x.guid}, save {x.save_seconds:.2f} s, "
                                       f"restore {x.restore_seconds:.2f} s")),
                 f"fuzz: the guest fuzzed /dev/sysgenid for {secs} s across {n} restores in a chain")
    if not s:
        return
    for x in s.results[:-1]:     # the origin and the clones between print no check; the last
        rep.guest(x.out, f"fuzz ({x.name}): ")  # clone's dmesg is the whole chain's kernel log
    rep.finished(s.results[-1], "fuzz, last clone", 8 if debug else 7)
    rep.check(len(s.restores) == n and len({x.guid for x in s.restores}) == n,
              f"fuzz: {len(s.restores)} restores with {len({x.guid for x in s.restores})} distinct guids (want {n})")
    calls = re.search(r"^# calls in .*$", s.results[-1].out.text, re.M)
    note(f"fuzz: seed {genv['SGVM_FUZZ_SEED']}, {calls[0][2:] if calls else 'no calls line'}")


def splats(rep: Report, r, what: str) -> None:
    """Any line of the kernel log that /init flagged (WARNING, BUG, KASAN, UBSAN, lockdep,
    sleeping in atomic context, kmemleak) fails the run; the lines are printed, the whole log is
    the guest's console file."""
    rep.check(not r.dmesg_bad, f"{what}: the kernel log has no splat ({len(r.dmesg_bad)} flagged lines)")
    if r.dmesg_bad:
        indent("\n".join(r.dmesg_bad) + f"\n(full kernel log: {r.run_dir}/{r.name}.console)", 60)


def harness_check(rep: Report) -> None:
    """The C test harness (tests/sgtest.h) on the host: its own check program must report a crash
    and a hang as failures, and the tests after them (one leaks an fd and a thread) as passing."""
    exe = KMOD / "tests" / "sgtest_selfcheck"
    try:
        p = subprocess.run([exe], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           env={"SGVM_TEST_TIMEOUT_S": "1"}, timeout=60).stdout if exe.exists() else f"{exe} not built"
    except subprocess.TimeoutExpired as e:
        p = f"{exe}: still running after {e.timeout} s (killed): {(e.output or b'').decode(errors='replace')}"
    got = re.findall(r"^(?:not ok|ok) \d|^\d+ passed, \d+ failed$", p, re.M)
    if not rep.check(got == ["not ok 1", "not ok 2", "ok 3", "ok 4", "ok 5", "3 passed, 2 failed"],
                     "build: the C test harness fails a crashing and a hanging test alone; an fd and a thread "
                     "leaked by a test do not reach the next (tests/sgtest_selfcheck)"):
        indent(p)


def clones(rep: Report, s) -> None:
    o = s.origin.out
    g0 = o.first("gen-before")
    opened = o.find("sgwatch", r"open gen=(\d+) pid=\d+")
    rep.check(g0 is not None and opened and opened[1] == g0 and o.find("sgwatch", r"blocking in read\(\)"),
              f"origin: reader opened /dev/sysgenid at generation {g0} and blocked in read()")
    want = str(int(g0 or 0) + 1)
    rands = []
    for i, c in enumerate(s.clones[:2], 1):
        woke = c.out.find("sgwatch", r"woke gen=(\d+)")
        rand = c.out.find("sgwatch", r"urandom=([0-9a-f]+)")
        rands.append(rand[1] if rand else None)
        rep.check(woke and woke[1] == want, f"clone {i} (guid {c.guid}): the blocked reader woke with generation "
                  f"{woke[1] if woke else 'none'} (want {want})")
        rep.check(c.out.first("gen-after") == want, f"clone {i}: counter moved by exactly one "
                  f"({g0} -> {c.out.first('gen-after')})")
        rep.check(c.out.find("sgwatch", "after-ack read=EAGAIN"),
                  f"clone {i}: reader acked; a non-blocking read then gives EAGAIN")
        rep.check(c.out.first("vmfork") == "seen", f"clone {i}: kernel logged the VM fork (crng reseeded)")
        rep.finished(c, f"clone {i}", 1)
    c = s.clones[2]
    rep.check(c.out.find("sgwatch", rf"timeout after {WATCH_TIMEOUT} s, still gen={g0}"),
              f"clone 3 (the origin's own guid): no generation change, reader still blocked after "
              f"{WATCH_TIMEOUT} s (gen {c.out.first('gen-after')})")
    rep.check(c.out.first("gen-after") == g0, f"clone 3: counter unchanged ({g0} -> {c.out.first('gen-after')})")
    rep.finished(c, "clone 3", 1)
    rep.check(None not in rands and rands[0] != rands[1], "clones: /dev/urandom after wake-up differs "
              f"({' vs '.join(f'{x[:12]}..' if x else 'none' for x in rands)})")
