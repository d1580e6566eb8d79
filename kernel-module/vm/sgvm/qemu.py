"""QEMU with QMP, and the one snapshot primitive: boot, save the running guest at a marker line,
restore it (in a chain and/or as N clones of one state, each with its own VM generation id)."""
from __future__ import annotations

import atexit
import contextlib
import ctypes
import dataclasses
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tarfile
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable, Optional, Sequence

from .build import HarnessError, Image, cpio
from .config import DMESG_BAD, GUEST, env
from .report import Output, note, parse


class Qmp:
    """A minimal QMP client over a unix socket (line-delimited JSON)."""

    def __init__(self, path: Path, alive: Callable[[], bool], timeout: float = 30.0):
        deadline = time.monotonic() + timeout
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(str(path))
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline or not alive():
                    raise HarnessError(f"cannot connect to QMP at {path}")
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        self.rfile = self.sock.makefile("r", encoding="utf-8")
        self.rfile.readline()                               # the greeting
        self.cmd("qmp_capabilities")

    def cmd(self, name: str, **args):
        self.sock.sendall((json.dumps({"execute": name, "arguments": args}) + "\n").encode())
        while True:
            line = self.rfile.readline()
            if not line:
                raise HarnessError(f"QMP connection closed during {name}")
            r = json.loads(line)
            if "error" in r:
                raise HarnessError(f"QMP {name}: {r['error']}")
            if "event" not in r:
                return r.get("return")

    def poll(self, name: str, done: Callable[[dict], bool], what: str, timeout: float = 120.0) -> dict:
        deadline = time.monotonic() + timeout
        while not done(r := self.cmd(name)):
            if time.monotonic() > deadline:
                raise HarnessError(f"{what}: {r}")
            time.sleep(0.05)
        return r

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.rfile.close()
            self.sock.close()


@dataclasses.dataclass
class GuestResult:
    """What one guest (a run, a snapshot's origin, a restored clone) printed and how it ended.
    status: the script's exit status, None if it never finished (the origin of a snapshot);
    error: why it never finished (a timeout, QEMU's exit), shown in the report."""
    name: str
    guid: str
    out: Output
    status: Optional[int]
    seconds: float
    run_dir: Path
    error: str = ""
    disks: dict = dataclasses.field(default_factory=dict)   # its writable disks (Debian guest: root, io)
    boot_seconds: Optional[float] = None                    # QEMU's start to the BOOTED line (a fresh boot)
    console_bad: list = dataclasses.field(default_factory=list)  # see dmesg_bad

    @property
    def module(self) -> Optional[str]:
        return (self.out.init.get("MODULE") or [None])[0]

    @property
    def dmesg_bad(self) -> list:
        """The kernel log's lines that match DMESG_BAD: those /init found in dmesg after the script,
        and, for a guest that never got that far (a panic, a hang, a snapshot's origin), those its
        console showed as they happened (loglevel=5 after "quiet": warnings and worse, so WARN(),
        lockdep and kmemleak reports too, not only errors)."""
        lines = self.out.init.get("DMESG", [])
        return lines + [line for line in self.console_bad if line not in lines]


_BAD = re.compile(DMESG_BAD)
_LIVE: dict = {}
atexit.register(lambda: [g.kill() for g in list(_LIVE.values())])
for _sig in (signal.SIGTERM, signal.SIGHUP):
    signal.signal(_sig, lambda signum, _frame: (_ for _ in ()).throw(SystemExit(128 + signum)))


def _die_with_parent() -> None:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: no orphan QEMU


class Guest:
    """One QEMU process running an image: a fresh boot, or a restore of a saved state."""

    def __init__(self, image: Image, run_dir: Path, initrd: Path, name: str,
                 guid: Optional[str] = None, incoming: Optional[Path] = None, disks: Optional[dict] = None):
        self.image, self.run_dir, self.initrd, self.name = image, run_dir, initrd, name
        self.disks = dict(disks or {})      # writable: "root" (qcow2), "io" (raw), Debian guest only
        self.guid, self.incoming = guid or str(uuid.uuid4()), incoming
        self.log = {s: run_dir / f"{name}.{s}" for s in ("out", "console", "cmdline", "qemu")}
        self.tmp = Path(tempfile.mkdtemp(prefix="sgvm-"))
        self.proc: Optional[subprocess.Popen] = None
        self.qmp: Optional[Qmp] = None
        self.t0 = time.monotonic()
        self.boot_seconds: Optional[float] = None

    def start(self) -> "Guest":
        append = " ".join(filter(None, [self.image.append, "console=ttyS0 quiet loglevel=5 panic=-1 mitigations=off",
                                        env("KERNEL_APPEND")]))
        # busybox: vda the data image; Debian: vda the root (qcow2), vdb the data image, vdc the io
        # disk. The writable ones are this run's throwaway files: cache=unsafe (the guest's flushes
        # stay in the host's page cache; dpkg's fsync per file is what makes an install slow
        # under TCG), which a save, a copy for a clone and a later boot all read through.
        rw = {k: f"file={p},format={'qcow2' if k == 'root' else 'raw'},if=virtio,cache=unsafe"
              for k, p in self.disks.items()}
        drives = [rw[k] for k in ("root",) if k in rw] + [f"file={self.image.data},format=raw,if=virtio,readonly=on"] \
            + [rw[k] for k in ("io",) if k in rw]
        cmd = [env("QEMU", "qemu-system-x86_64"), "-accel", "tcg,thread=multi", "-cpu", env("CPU", "max"),
               "-m", env("MEM", "2G"), "-smp", env("SMP", "2"), "-nodefaults", "-no-user-config",
               "-display", "none", "-no-reboot", "-kernel", self.image.boot, "-initrd", self.initrd,
               "-append", append, *(a for d in drives for a in ("-drive", d)),
               "-device", f"vmgenid,id=vmgen0,guid={self.guid}", "-serial", f"file:{self.log['console']}",
               "-serial", f"file:{self.log['out']}", "-qmp", f"unix:{self.tmp}/qmp.sock,server=on,wait=off"]
        cmd = [str(c) for c in cmd] + (["-incoming", f"exec:cat {shlex.quote(str(self.incoming))}"]
                                       if self.incoming else [])
        self.log["cmdline"].write_text(shlex.join(cmd) + "\n")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=open(self.log["qemu"], "w"),
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     preexec_fn=_die_with_parent)
        _LIVE[self.proc.pid] = self
        try:
            self.qmp = Qmp(self.tmp / "qmp.sock", alive=lambda: self.proc.poll() is None)
        except (HarnessError, OSError) as e:
            raise HarnessError(f"{self.name}: QEMU did not start ({e}); {self.log['qemu']}:\n{self.text('qemu')}")
        if env("PIN_VCPUS") == "1":
            # vCPU k on host core k: a woken vCPU never queues behind the other one (see README)
            host = sorted(os.sched_getaffinity(0))
            for c in self.qmp.cmd("query-cpus-fast"):
                os.sched_setaffinity(c["thread-id"], {host[c["cpu-index"] % len(host)]})
        return self

    def text(self, what: str = "out") -> str:
        with contextlib.suppress(FileNotFoundError):
            return self.log[what].read_text(errors="replace").replace("\r", "")
        return ""

    def wait_for(self, pattern: str, timeout: float) -> None:
        """Wait until the guest's output shows a line matching the regex."""
        rx, deadline = re.compile(pattern, re.M), time.monotonic() + timeout
        while not rx.search(self.text()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                why = "QEMU exited" if self.proc.poll() is not None else f"{timeout:.0f} s passed"
                raise HarnessError(f"{self.name}: {why} before a line /{pattern}/; qemu said: "
                                   f"{self.text('qemu')[-1500:]}\nconsole tail:\n{self.text('console')[-1500:]}"
                                   f"\nscript output:\n{self.text()[-3000:]}")
            time.sleep(0.05)

    def result(self, error: str = "") -> GuestResult:
        out = parse(self.text())
        status = out.init.get("EXIT")
        unfinished = [] if status else [line for line in self.text("console").splitlines()
                                         if _BAD.search(line) and not line.startswith("@@SG-")]
        return GuestResult(self.name, self.guid, out, int(status[0]) if status else None,
                           round(time.monotonic() - self.t0, 2), self.run_dir, error, dict(self.disks),
                           self.boot_seconds, unfinished)

    def finish(self, timeout: float) -> GuestResult:
        """Wait for the script's end (/init's EXIT line) and QEMU's exit; a timeout gives status None
        and the reason in the result's error."""
        error = ""
        try:
            self.wait_for(r"^@@SG-EXIT \d+@@$", timeout)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(SHUTDOWN_TIMEOUT[self.image.kind])
        except HarnessError as e:
            error = str(e).split("\nconsole tail:")[0]
        self.kill()
        return self.result(error)

    def save(self, state: Path) -> None:
        """stop, migrate to a file, wait until completed, quit."""
        self.qmp.cmd("stop")
        self.qmp.cmd("migrate-set-parameters", **{"max-bandwidth": 1 << 40})
        self.qmp.cmd("migrate", uri=f"exec:cat > {shlex.quote(str(state))}")
        r = self.qmp.poll("query-migrate", lambda r: r.get("status") in ("completed", "failed", "cancelled"),
                          f"{self.name}: the save did not complete")
        if r["status"] != "completed":
            raise HarnessError(f"{self.name}: save {r}")
        with contextlib.suppress(HarnessError, OSError):
            self.qmp.cmd("quit")
        self.kill()

    def resume(self) -> None:
        """After a restore (-incoming): wait until the state is in, then cont."""
        self.qmp.poll("query-status", lambda r: r.get("status") != "inmigrate",
                      f"{self.name}: the restore did not finish: {self.text('qemu')}")
        self.qmp.cmd("cont")

    def kill(self) -> None:
        if self.qmp:
            self.qmp.close()
            self.qmp = None
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            _LIVE.pop(self.proc.pid, None)
        shutil.rmtree(self.tmp, ignore_errors=True)


IO_DISK_MIB, HANDOFF_MIB = 128, 64     # the Debian guest's io disk; where its kernel handoff starts


def script_media(image: Image, script: Path, run_dir: Path, genv: dict) -> tuple[Path, dict]:
    """How a run's script reaches the guest: (initrd, writable disks). busybox: the image's base
    initramfs with /guest/script.sh and /guest/env appended as a second cpio archive (the kernel
    unpacks both). Debian: the root file system's own initramfs, the image's root disk, and an
    io disk holding a tar of guest/script.sh, guest/env and guest/lib.sh at its start (the guest's
    sgvm-guest unpacks it; a kernel handoff comes back at HANDOFF_MIB)."""
    with tempfile.TemporaryDirectory(prefix="sgvm-script-") as td:
        (Path(td) / "guest").mkdir()
        shutil.copy2(script, Path(td) / "guest/script.sh")
        (Path(td) / "guest/env").write_text("".join(f"export {k}={shlex.quote(str(v))}\n" for k, v in genv.items()))
        if image.kind == "debian":
            shutil.copy2(GUEST / "lib.sh", Path(td) / "guest/lib.sh")
            io = run_dir / "io.img"
            with tarfile.open(io, "w") as tar:
                tar.add(Path(td) / "guest", "guest")
            os.truncate(io, IO_DISK_MIB << 20)
            return image.initrd, {"root": image.root, "io": io}
        cpio(Path(td), run_dir / "script.cpio.gz")
    out = run_dir / "initrd.cpio.gz"
    out.write_bytes(image.initrd.read_bytes() + (run_dir / "script.cpio.gz").read_bytes())
    return out, {}


def handoff(r: GuestResult, dest: Path) -> Optional[tuple[Path, Path]]:
    """The kernel a Debian guest handed off for its next boot (sgvm-guest, /run/sgvm/next-kernel):
    (vmlinuz, initrd) extracted to dest, or None when it handed off none."""
    with open(r.disks["io"], "rb") as f:
        f.seek(HANDOFF_MIB << 20)
        if not f.read(512).strip(b"\0"):
            return None
        f.seek(HANDOFF_MIB << 20)
        dest.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=f, mode="r|") as tar:
            names = []
            for m in tar:
                if m.isfile() and "/" not in m.name:
                    tar.extract(m, dest)
                    names.append(m.name)
    kernel = [dest / n for n in names if n.startswith("vmlinuz-")]
    initrd = [dest / n for n in names if n.startswith("initrd.img-")]
    return (kernel[0], initrd[0]) if kernel and initrd else None


def guest_env(image: Image, extra: Optional[dict] = None) -> dict:
    """The guest script's environment: the JDK and class path decided here, and the caller's knobs."""
    genv = {"SGVM_DMESG_BAD": DMESG_BAD}
    if image.jdk:
        genv.update(JAVA="/data/jre/bin/java", JAVA_OPTS=image.jdk.opts)
    launcher = [j for j in image.jars if j.startswith("junit-platform-console-standalone")]
    genv.update(CP=":".join(f"/data/jars/{j}" for j in image.jars if j not in launcher),
                JUNIT=" ".join(f"/data/jars/{j}" for j in launcher))
    genv.update(extra or {})
    return genv


@dataclasses.dataclass
class Restore:
    """One restore of a saved state: which level's state, the new guid, timings, and what the
    restored guest did (to its own save, or to the script's end)."""
    level: int
    guid: str
    marker_seconds: float
    save_seconds: float
    restore_seconds: float
    result: Optional[GuestResult]


@dataclasses.dataclass
class Snapshots:
    """The origin (its output up to its save; with no level, to the script's end) and every restore."""
    origin: GuestResult
    restores: list
    state_bytes: int

    @property
    def clones(self) -> list:
        """The guests restored from the last saved state, each run to the script's end."""
        last = max((r.level for r in self.restores), default=-1)
        return [r.result for r in self.restores if r.level == last]

    @property
    def results(self) -> list:
        return [self.origin] + [r.result for r in self.restores]


def booted(image: Image, run_dir: Path, initrd: Path, name: str, disks: dict) -> "Guest":
    """A started guest that reached /init's BOOTED line. A kernel that panics in early boot,
    before /init, is booted once more (noted): under TCG on a loaded host the kernel's check
    that the timer interrupt comes through the IO-APIC can time out ("IO-APIC + timer doesn't
    work!"). Nothing of ours has run at that point; a second such panic fails the run."""
    for attempt in (1, 2):
        g = Guest(image, run_dir, initrd, name, disks=disks).start()
        try:
            g.wait_for(r"^@@SG-BOOTED@@$", BOOT_TIMEOUT[image.kind])
            g.boot_seconds = round(time.monotonic() - g.t0, 1)
            return g
        except HarnessError:
            panicked = g.proc.poll() is not None and "Kernel panic" in g.text("console") \
                and "@@SG-" not in g.text()
            g.kill()
            if attempt == 2 or not panicked:
                raise
            note(f"{name}: the kernel panicked in early boot, before /init; booting once more: "
                 + next((line for line in g.text("console").splitlines() if "Kernel panic" in line), ""))
    raise AssertionError("unreachable")


BOOT_TIMEOUT = {"busybox": 120, "debian": 600}    # seconds to BOOTED: systemd under TCG takes a while
SHUTDOWN_TIMEOUT = {"busybox": 10, "debian": 180}  # seconds from EXIT to QEMU's exit (systemd's shutdown)


def clone_disks(disks: dict, run_dir: Path, name: str) -> dict:
    """A restored guest's own copy of the saved guest's writable disks as they were at the save
    (QEMU flushed them on stop): two clones of one state never write to one disk."""
    out = {}
    for key, path in disks.items():
        out[key] = run_dir / f"{name}.{key}{path.suffix}"
        shutil.copy2(path, out[key])
    return out


def snapshots(image: Image, script: Path, run_dir: Path, genv: dict, levels: int = 0, clones: int = 1,
              marker: str = "SNAPSHOT-NOW", guids: Sequence[str] = (), timeout: float = 300.0,
              on_restore: Optional[Callable[[Restore], None]] = None) -> Snapshots:
    """Boot the image and run the script. At each level k < levels wait for the marker line
    (marker.format(k=k)), save the running guest, and restore it with a new guid: once to go on
    to the next level (a chain, each restore from the previous clone), or at the last level
    `clones` times from the one state, each run to the script's end. guids[i] is the i-th clone's
    guid ('origin': the origin's own, i.e. no change); else a fresh uuid4. levels=0: a plain run.
    A clone must not depend on anything between its marker and the save (it blocks)."""
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    initrd, disks = script_media(image, script, run_dir, genv)
    g = origin = booted(image, run_dir, initrd, "run" if levels == 0 else "origin", disks)
    restores, size, ores = [], 0, None
    try:
        for k in range(levels):
            t = time.monotonic()
            g.wait_for("^" + re.escape(marker.format(k=k)) + "$", timeout)
            marker_s, t = time.monotonic() - t, time.monotonic()
            state = run_dir / f"state-{k}.mig"
            g.save(state)
            save_s, size = time.monotonic() - t, state.stat().st_size
            prev = g
            if g is origin:
                ores = g.result()
            else:
                restores[-1].result = g.result()
            for i in range(clones if k == levels - 1 else 1):
                guid = (guids[i] if k == levels - 1 and i < len(guids) else None) or str(uuid.uuid4())
                name = f"clone-{len(restores) + 1}"
                g = Guest(image, run_dir, initrd, name, origin.guid if guid == "origin" else guid, state,
                          clone_disks(prev.disks, run_dir, name))
                t = time.monotonic()
                g.start().resume()
                restores.append(Restore(k, g.guid, round(marker_s, 2), round(save_s, 2),
                                        round(time.monotonic() - t, 2), None))
                if on_restore:
                    on_restore(restores[-1])
                if k == levels - 1:
                    restores[-1].result = g.finish(timeout)
            (run_dir / f"state-{k - 1}.mig").unlink(missing_ok=True)
        if levels == 0:
            ores = g.finish(timeout)
    finally:
        g.kill()
        for p in run_dir.glob("state-*.mig"):
            p.unlink()
    return Snapshots(ores, restores, size)
