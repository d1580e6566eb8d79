# e2e.d/e2elib.py - shared host side of kernel-module/vm/e2e and kernel-module/vm/bench:
# TAP counting, the Maven build of the guest's jars, the static helpers, the guest
# image, and a restore chain (save clone k, restore it as clone k+1 with a new guid).
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
VM = HERE.parent
REPO = VM.parent.parent
sys.path.insert(0, str(VM))
import guestlib  # noqa: E402

CONSOLE = "org.junit.platform:junit-platform-console-standalone:1.14.4"
MODULES = os.environ.get("SGE2E_MAVEN_MODULES", "samples/e2e-apps")


class Tap:
    def __init__(self):
        self.n = self.passed = self.failed = 0
        self.t0 = time.monotonic()
        self.times = []

    def check(self, ok: bool, text: str) -> bool:
        self.n += 1
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'ok' if ok else 'not ok'} {self.n} - {text}", flush=True)
        return ok

    def timed(self, stage: str, t0: float) -> None:
        s = time.monotonic() - t0
        self.times.append(f"{stage}={s:.1f}")
        print(f"# time {stage}: {s:.1f} s", flush=True)

    def finish(self) -> None:
        print(f"# stage times (s): {' '.join(self.times)} total={time.monotonic() - self.t0:.1f}")
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        sys.exit(0 if self.failed == 0 else 1)

    def guest_checks(self, output: str, prefix: str = "") -> int:
        """Turn the guest's 'CHECK ok|not-ok - text' lines into TAP lines; returns how many."""
        k = 0
        for m in re.finditer(r"^CHECK (ok|not-ok) - (.*)$", output, re.M):
            self.check(m.group(1) == "ok", prefix + m.group(2))
            k += 1
        return k


def indent(text: str, tail: int = 60) -> None:
    lines = text.rstrip("\n").splitlines()
    if len(lines) > tail:
        print(f"    | ... ({len(lines) - tail} lines before)")
        lines = lines[-tail:]
    for line in lines:
        print("    | " + line)


def sh_log(cmd, log: Path, cwd=REPO) -> bool:
    with open(log, "a") as f:
        f.write("$ " + " ".join(map(str, cmd)) + "\n")
        f.flush()
        return subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL).returncode == 0


def build_jars(out: Path, log: Path) -> bool:
    """mvn install (no tests) of the e2e programs and what they need, then copy them,
    their runtime dependencies (core's test-jar, assertj, JNA, the JUnit console
    launcher) into out/ (flat: the guest's /data/jars)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    mvn = ["mvn", "-B", "-q", "-ntp"]
    if not sh_log(mvn + ["install", "-DskipTests", "-pl", MODULES, "-am"], log):
        return False
    if not sh_log(mvn + ["-pl", MODULES, "dependency:copy-dependencies", "-DincludeScope=runtime",
                         f"-DoutputDirectory={out}"], log):
        return False
    for m in MODULES.split(","):
        for j in (REPO / m / "target").glob("*.jar"):
            if not j.name.endswith(("-sources.jar", "-javadoc.jar", "-tests.jar")):
                shutil.copy2(j, out / j.name)
    return any(out.glob("junit-platform-console-standalone-*.jar"))


def build_bins(out: Path, log: Path) -> list:
    out.mkdir(parents=True, exist_ok=True)
    bins = []
    for src in ("runas.c", "sgbench.c"):
        exe = out / src[:-2]
        if not sh_log(["gcc", "-static", "-O2", "-Wall", "-Wextra", "-o", exe, HERE / src], log):
            return []
        bins.append(exe)
    return bins


def chain(image, script: str, cycles: int, run_dir: Path, env: dict, marker: str = "CYCLE-READY",
          timeout: float = 180.0, on_step=None):
    """Boot; at 'MARKER 0' save; restore as clone-1 with a new guid; at 'MARKER 1' save
    that clone; ... clone-CYCLES runs to the end of the script. Each state file is deleted
    once the next guest has restored from it. Returns (origin result, last clone's
    result, [(k, guid, save_s, restore_s, marker_s)])."""
    run_dir.mkdir(parents=True, exist_ok=True)
    for p in run_dir.iterdir():
        if p.is_file():
            p.unlink()
    initrd = guestlib.script_initrd(image, script, run_dir, env)
    g = guestlib.Guest(image, run_dir, initrd, name="origin")
    g.start()
    steps = []
    results = []
    state_prev = None
    try:
        g.wait_for(r"^@@SG-BOOTED@@$", 120)
        for k in range(cycles + 1):
            t_m = time.monotonic()
            if k == cycles:
                res = g.wait_exit(timeout)
                results.append(res)
                break
            g.wait_for("^" + re.escape(f"{marker} {k}") + "$", timeout)
            marker_s = time.monotonic() - t_m
            state = run_dir / f"state-{k}.mig"
            t0 = time.monotonic()
            g.save(state)
            save_s = time.monotonic() - t0
            results.append(g.result())
            if state_prev is not None and state_prev.exists():
                state_prev.unlink()
            guid = str(uuid.uuid4())
            g = guestlib.Guest(image, run_dir, initrd, name=f"clone-{k + 1}", guid=guid, incoming=state)
            t0 = time.monotonic()
            g.start()
            g.resume()
            restore_s = time.monotonic() - t0
            state_prev = state
            steps.append((k + 1, guid, save_s, restore_s, marker_s))
            if on_step:
                on_step(steps[-1])
    finally:
        g.kill()
        for p in run_dir.glob("state-*.mig"):
            p.unlink()
    return results, steps
