"""run debian: the sysgenid-dkms package installed the way users do, in a Debian 12 guest with
systemd and udev (a root file system built by mmdebstrap, cached by content). package: build the
.deb (kernel-module/build-deb: lintian --pedantic, no error or warning), check its contents
(kernel-module/tests/deb-contents.sh) and, on the cached root in a chroot, its maintainer scripts
(tests/deb-scripts.sh); guest: boot 1 installs it with apt (DKMS builds the
module against the guest's headers), writes and enables a WebFlux service (a non-root user in group
sysgenid, ordered after dev-sysgenid.device) and reboots; boot 2 checks that systemd started the
service by itself, without a restart, holding a tracked subscription (before it waits for udev),
then the device as udev set it up and who may do what, and is saved and
restored twice (the service re-keys, the overseer's restore-cycle unit sees every tracked watcher
acknowledge, the two clones issue different IDs and keys); boot 3 installs the 6.12 kernel
(DKMS rebuilds the module) and hands it to the host; boot 4 runs on 6.12, then apt remove and
purge leave no module, rule, device or group."""
from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import time

from . import build
from .build import HarnessError
from .config import GUEST, KMOD, jdk
from .qemu import guest_env, handoff, snapshots
from .report import Report, note

STAGES = ("package", "guest")
# the guest scripts' own check lines (guest/debian-*.sh)
EXPECT = {"install": 6, "origin": 9, "clone": 5, "upgrade": 2, "remove": 6}


def run(rep: Report, k: build.Kernel, stages, ctx) -> None:
    out = ctx.out
    t = time.monotonic()
    deb = ctx.step(lambda: build_deb(out), lambda d: f"package: kernel-module/build-deb built {d.name}; lintian "
                                                     f"--pedantic: no error or warning ({lintian_summary(out)})", "package: build-deb")
    if deb:
        tap(rep, [KMOD / "tests" / "deb-contents.sh"], out / "deb-contents.log", "package: deb-contents: ")
    rep.timed("package", t)
    if not deb or "guest" not in stages:
        return
    t = time.monotonic()
    root = ctx.step(lambda: build.debian_root(out / "rootfs.log"),
                    lambda r: f"host: Debian 12 root file system ({r.dir.name}: kernel {r.kernel}, "
                              f"upgrade {r.upgrade}, {r.image.stat().st_size >> 20} MiB)",
                    "host: Debian root (mmdebstrap)")
    rep.timed("root file system", t)
    if not root:
        return
    t = time.monotonic()
    # read-only under an overlay on a tmpfs (the script's own mounts): the cached root is never written
    tap(rep, [KMOD / "tests" / "deb-scripts.sh", root.image, deb], out / "deb-scripts.log",
        "package: deb-scripts (chroot): ")
    rep.timed("maintainer scripts (chroot)", t)
    t = time.monotonic()
    j = jdk()
    built = ctx.step(lambda: build.build_jars(out, out / "build.log"),
                     "host: mvn package of the harness and the samples", "host: mvn package")
    if not built:
        return
    shutil.copy2(deb, built[1] / deb.name)
    img = ctx.step(lambda: debian_image(root, k, ctx, j, built, out),
                   f"host: data image (JRE {j.feature}, jars, the .deb) and a qcow2 overlay over {root.image.name}")
    rep.timed("jars and images", t)
    if img:
        guest(rep, ctx, img, out)


def build_deb(out):
    d = out / "deb"
    shutil.rmtree(d, ignore_errors=True)
    (out / "package.log").unlink(missing_ok=True)
    build.sh([KMOD / "build-deb", d], out / "package.log")
    return next(d.glob("sysgenid-dkms_*_all.deb"))


def tap(rep: Report, cmd, log, prefix: str) -> None:
    """A TAP script's results as check lines (its comments and output in LOG), then one check that
    it ran whole: its plan's count of results, each seen, and an exit status that agrees."""
    p = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL, text=True)
    log.write_text(p.stdout)
    results, plan = [], None
    for line in p.stdout.splitlines():
        m = re.match(r"^(ok|not ok) \d+ - (.*)$", line)
        if m:
            results.append(m[1] == "ok")
            rep.check(m[1] == "ok", prefix + m[2])
        elif re.match(r"^1\.\.\d+$", line):
            plan = int(line[3:])
    rep.check(plan == len(results) >= 1 and (p.returncode == 0) == all(results),
              f"{prefix}{len(results)} results of a plan of {plan}, exit {p.returncode} (log {log.name})")


def lintian_summary(out) -> str:
    tags = [line for line in (out / "package.log").read_text().splitlines() if re.match(r"^[EWIP]: ", line)]
    counts = {c: sum(line.startswith(c + ":") for line in tags) for c in "EWI"}
    return f"{counts['E']} errors, {counts['W']} warnings, {counts['I']} info"


def debian_image(root, k, ctx, j, built, out) -> build.Image:
    data = build.build_image("debian", k, None, ctx.helpers, j, *built)
    overlay = out / "root.qcow2"
    overlay.unlink(missing_ok=True)
    build.sh(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", root.image, overlay])
    return dataclasses.replace(data, boot=build.pvh_vmlinux(root.vmlinuz, f"debian-{root.kernel}"),
                               initrd=root.initrd, kind="debian", append="root=/dev/vda rw", root=overlay)


def handed_off(r, dest):
    """The kernel and initramfs boot 3 handed off, or a HarnessError that says it handed off none."""
    kernel = handoff(r, dest)
    if not kernel:
        raise HarnessError(f"{r.name}: no kernel at the io disk's handoff offset ({r.disks['io']})")
    return kernel


def guest(rep: Report, ctx, img: build.Image, out) -> None:
    genv = guest_env(img)
    # boot 1: apt install, reboot
    t = time.monotonic()
    r = ctx.step(lambda: snapshots(img, GUEST / "debian-install.sh", out / "boot1", genv, timeout=1200).origin,
                 "boot 1 (6.1): systemd booted, the test unit ran")
    rep.timed("boot 1 (install)", t)
    if not r or rep.finished(r, "boot 1", EXPECT["install"]) != EXPECT["install"] or r.status != 0:
        return
    note(f"boot 1: apt install {r.out.first('apt-install-seconds')} s, of which the DKMS build "
         f"{r.out.first('dkms-build-seconds')} s (guest clock); "
         f"boot to the test unit {r.boot_seconds} s")
    # boot 2 (after the reboot): the device, the service, one save and two restores
    t = time.monotonic()
    s = ctx.step(lambda: snapshots(img, GUEST / "debian-service.sh", out / "boot2", genv, levels=1, clones=2,
                                   timeout=1200),
                 lambda c: f"boot 2 (6.1): the running guest saved once ({c.state_bytes >> 20} MiB, "
                           f"{c.restores[0].save_seconds} s) and restored twice with new guids",
                 "boot 2: one snapshot, two clones")
    rep.timed("boot 2 (service, snapshot, two clones)", t)
    if not s:
        return
    o = s.origin
    rep.check(o.module == "loaded", f"step 1: after the reboot the module was loaded at boot ({o.module})")
    k0 = rep.guest(o.out, "boot 2: ")
    rep.check(k0 == EXPECT["origin"], f"boot 2: {k0} of {EXPECT['origin']} checks before the snapshot")
    note(f"boot 2: boot to the test unit {o.boot_seconds} s; service start {o.out.first('startup-seconds')} s "
         f"(guest clock)")
    for i, x in enumerate(s.clones, 1):
        rep.finished(x, f"clone {i} (guid {x.guid})", EXPECT["clone"])
    ids, keys = [x.out.first("clone-id") for x in s.clones], [x.out.first("clone-key") for x in s.clones]
    pre = set(o.out.data.get("pre-id", []))
    rep.check(None not in ids + keys and len(set(ids)) == 2 == len(set(keys)) and not set(ids) & pre
              and o.out.first("pre-key") not in keys,
              f"step 4: the two clones of one snapshot issue different IDs and keys: ids {ids}, keys {keys} "
              f"(before: key {o.out.first('pre-key')})")
    if len(s.clones) != 2 or s.clones[0].status != 0:
        return
    # boot 3: on clone 1's disk, the 6.12 kernel installed; its handoff
    img = dataclasses.replace(img, root=s.clones[0].disks["root"])
    t = time.monotonic()
    r = ctx.step(lambda: snapshots(img, GUEST / "debian-upgrade.sh", out / "boot3", genv, timeout=1800).origin,
                 "boot 3 (6.1): the test unit ran")
    rep.timed("boot 3 (6.12 install)", t)
    if not r or rep.finished(r, "boot 3", EXPECT["upgrade"]) != EXPECT["upgrade"] or r.status != 0:
        return
    note(f"boot 3: apt install of the 6.12 kernel {r.out.first('apt-install-seconds')} s, of which the DKMS "
         f"build {r.out.first('dkms-build-seconds')} s (guest clock)")
    kernel = ctx.step(lambda: handed_off(r, out / "k612"),
                      lambda h: f"boot 3: the guest handed off {h[0].name} and {h[1].name} for the reboot",
                      "boot 3: the kernel handoff")
    if not kernel:
        return
    # boot 4: the 6.12 kernel, the module DKMS built for it; remove, purge
    upgraded = dataclasses.replace(img, boot=build.pvh_vmlinux(kernel[0], "debian-" + kernel[0].name[8:]),
                                   initrd=kernel[1])
    t = time.monotonic()
    r = ctx.step(lambda: snapshots(upgraded, GUEST / "debian-remove.sh", out / "boot4",
                                   guest_env(upgraded, {"SGVM_EXPECT_KERNEL": kernel[0].name[len("vmlinuz-"):]}),
                                   timeout=900).origin,
                 f"boot 4 ({kernel[0].name[8:]}): systemd booted, the test unit ran")
    rep.timed("boot 4 (6.12, remove, purge)", t)
    if r:
        rep.check(r.module == "loaded", f"6.12: the module DKMS built was loaded at boot ({r.module})")
        rep.finished(r, "boot 4", EXPECT["remove"])

