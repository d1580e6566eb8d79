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


SAMPLES = "samples/overseer,samples/webflux-app,samples/prng-reseeder"
# the guest JRE for the whole e2e image: guestlib's default modules plus what Spring Boot 4
# (the WebFlux sample: java.beans, JDBC types, JMX, ...) and the PRNG -javaagent route need,
# and jdk.zipfs for boot 1's JUnit console, which scans core's test-jar as a zip file system
WEB_JRE_MODULES = ["java.base", "java.logging", "java.management", "jdk.unsupported", "java.naming",
                   "jdk.crypto.ec", "java.xml", "java.desktop", "java.sql", "java.instrument",
                   "jdk.management", "jdk.zipfs"]


def build_samples(out: Path, log: Path) -> list:
    """mvn install (no tests) of the samples the e2e runs as they ship: the overseer's shaded
    jar, the WebFlux fat jar and the PRNG reseeder's shaded jar with its java.security file.
    Copied to out/ under fixed names (the guest's /data/files); returns the paths, [] on failure."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if not sh_log(["mvn", "-B", "-q", "-ntp", "install", "-DskipTests", "-pl", SAMPLES, "-am"], log):
        return []
    picks = [("samples/overseer/target", "sysgenid-overseer-*-all.jar", "sysgenid-overseer-all.jar"),
             ("samples/webflux-app/target", "sysgenid-webflux-app-*.jar", "sysgenid-webflux-app.jar"),
             ("samples/prng-reseeder/target", "sysgenid-prng-reseeder-*-all.jar", "sysgenid-prng-reseeder-all.jar"),
             ("samples/prng-reseeder", "snapshot-safe.security", "snapshot-safe.security")]
    files = []
    for d, pattern, name in picks:
        found = sorted(j for j in (REPO / d).glob(pattern)
                       if not j.name.endswith(("-sources.jar", "-javadoc.jar", "-tests.jar", ".original")))
        if not found:
            with open(log, "a") as f:
                f.write(f"no {pattern} in {d}\n")
            return []
        shutil.copy2(found[-1], out / name)
        files.append(out / name)
    return files


def build_bins(out: Path, log: Path) -> list:
    out.mkdir(parents=True, exist_ok=True)
    bins = []
    for src in ("runas.c", "sgbench.c", "sghttp.c"):
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


# ---- overseer CLI: the --json lines the guest printed, parsed here (busybox has no JSON tool) ----
def json_checks(tap: Tap, output: str) -> None:
    import json

    def line(tag):
        m = re.search(rf"^{tag} (.*)$", output, re.M)
        return m.group(1) if m else ""

    sysgen = line("SYSFS-GEN")
    try:
        st = json.loads(line("STATUS-JSON"))
        ok = (line("STATUS-JSON-RC") == "0" and st.get("state") == "present" and st.get("simulated") is False
              and str(st.get("generation")) == sysgen and isinstance(st.get("trackedWatchers"), int)
              and isinstance(st.get("outdatedWatchers"), int))
    except ValueError as e:
        st, ok = f"does not parse: {e}: {line('STATUS-JSON')!r}", False
    tap.check(ok, f"overseer CLI: --json status parses, present, generation = sysfs {sysgen}: {st}")
    try:
        w = json.loads(line("WAIT-JSON"))
        ok = line("WAIT-JSON-RC") == "6" and w.get("exitCode") == 6 and w.get("outdatedWatchers") == 1
    except ValueError as e:
        w, ok = f"does not parse: {e}: {line('WAIT-JSON')!r}", False
    tap.check(ok, f"overseer CLI: --json wait timing out parses, exit 6, outdatedWatchers 1: {w}")


# ---- PRNG clone demo ----
PRNG_VARIANTS = ("none", "properties", "agent", "inline")
PRNG_SOURCES = (("drbg", "DRBG"), ("sha1prng", "SHA1PRNG"), ("default", "default `SecureRandom`"),
                ("uuid", "`UUID.randomUUID()`"), ("splittable", "`SnapshotSafeSplittableRandom` (fixed seed)"),
                ("plain-splittable", "`java.util.SplittableRandom` (fixed seed)"))
PRNG_ROWS = {"none": "no provider (SUN)", "properties": "`-Djava.security.properties=snapshot-safe.security`",
             "agent": "`-javaagent:sysgenid-prng-reseeder-all.jar`",
             "inline": "properties, `-Dsysgenid.prng.eager=false` (in-line check only, no subscriber)"}


PRNG_PHASES = ("after", "fresh")  # generators made before the snapshot / made only after the change
PRNG_FRESH = ("drbg", "sha1prng", "default", "uuid")  # the keys CloneDemo prints in its fresh phase


def _prng_after(output: str, phase: str = "after") -> dict:
    """{(variant, key): value} from a clone's 'prng VARIANT clone-demo PHASE KEY VALUE' lines;
    the plain SplittableRandom runs as variant 'plain' and is filed under ('none', 'plain-splittable')."""
    got = {}
    for m in re.finditer(rf"^prng (\w+) clone-demo ({phase}|info) (\S+) (.*)$", output, re.M):
        variant, p, key, value = m.groups()
        if variant == "plain":
            variant = "none"
        got[(variant, key if p == phase else "info-" + key)] = value.strip()
    return got


def _prng_phase(tap: Tap, out: Path, phase: str, after: list) -> None:
    """The checks and the table of one phase: 'after' (generators made before the snapshot) or
    'fresh' (made only after the change was observed)."""
    cells = {}
    for v in PRNG_VARIANTS:
        for key, _ in PRNG_SOURCES:
            if key == "plain-splittable" and v != "none" or phase == "fresh" and key not in PRNG_FRESH:
                continue
            vals = [a.get((v, key)) for a in after]
            if None in vals:
                cells[(v, key)] = (None, vals)
            else:
                cells[(v, key)] = (len(set(vals)) == len(vals), vals)
    # the problem, measured: without the provider these repeat in both clones
    repeat = [k for (v, k), (d, _) in cells.items() if v == "none" and d is False]
    must = ("drbg", "sha1prng", "plain-splittable") if phase == "after" else ("drbg", "sha1prng")
    tap.check(all(k in repeat for k in must),
              f"prng {phase} without the provider: repeat across the two clones: {', '.join(repeat) or 'none'} "
              f"({', '.join(must)} must: the problem being shown)")
    differ_none = [k for (v, k), (d, _) in cells.items() if v == "none" and d]
    print(f"# prng {phase} without the provider: differ between the clones: {', '.join(differ_none)}")
    for v in PRNG_VARIANTS[1:]:
        vs = {k: cells[(v, k)] for k, _ in PRNG_SOURCES if (v, k) in cells}
        prov = after[0].get((v, "info-providers"), "?")
        reseeds = [a.get((v, "info-reseeds"), "?") for a in after]
        ok = all(d is True for d, _ in vs.values()) and "drbg=SnapshotSafe" in prov
        if v == "inline":
            ok = ok and all(re.search(r"\beager=0\b", r) and not re.search(r"\binline=0\b", r) for r in reseeds)
        tap.check(ok, f"prng {phase} with the provider ({v}): every source differs between the clones "
                  f"({', '.join(k for k, (d, _) in vs.items() if d)}); providers {prov}; reseeds {reseeds}")
    # the table
    def cell(v, key):
        if (v, key) not in cells:
            return "— (the provider does not wrap it)" if phase == "after" else "— (not made after the restore)"
        d, vals = cells[(v, key)]
        if d is None:
            return "missing"
        short = [x.replace("-", "")[:8] for x in vals]
        return f"differ (`{short[0]}…` / `{short[1]}…`)" if d else f"**same in both clones** (`{short[0]}…`)"
    table = ["| run | " + " | ".join(h for _, h in PRNG_SOURCES) + " |",
             "|---|" + "---|" * len(PRNG_SOURCES)]
    for v in PRNG_VARIANTS:
        table.append(f"| {PRNG_ROWS[v]} | " + " | ".join(cell(v, k) for k, _ in PRNG_SOURCES) + " |")
    (out / f"prng-table-{phase}.md").write_text("\n".join(table) + "\n")
    print(f"# prng clone demo, phase {phase}: values drawn after the restore, clone 1 vs clone 2 (also in "
          f"{out / f'prng-table-{phase}.md'}):")
    for row in table:
        print("# " + row)


def _clone_two(tap: Tap, img, out: Path, name: str, what: str, timeout: int):
    """Runs e2e.d/NAME.sh, saves the guest at its NAME-READY marker and restores it twice;
    a harness failure is a failed check and gives None."""
    script = (HERE / f"{name}.sh").read_text()
    try:
        return guestlib.clone(img, script, marker=f"{name.upper()}-READY", clones=2, timeout=timeout,
                              run_dir=out / name)
    except guestlib.HarnessError as e:
        tap.check(False, f"{what}: {e}")
        return None


def prng_stage(tap: Tap, img, out: Path) -> None:
    t = time.monotonic()
    c = _clone_two(tap, img, out, "prng", "prng clone demo", 300)
    if c is None:
        return
    before = tap.failed
    ok = all(k.status == 0 for k in c.clones) and len({k.guid for k in c.clones}) == 2
    tap.check(ok, "prng clone demo: one snapshot with 5 JVMs waiting, restored twice with new guids "
              f"({', '.join(k.guid for k in c.clones)}); clone exits {[k.status for k in c.clones]}; "
              f"save {c.save_seconds} s, state {c.state_bytes // 2**20} MiB")
    for phase in PRNG_PHASES:
        _prng_phase(tap, out, phase, [_prng_after(k.output, phase) for k in c.clones])
    if tap.failed > before:
        indent(c.origin.output, 80)
        for k in c.clones:
            indent(k.output, 80)
    tap.timed("prng clone demo (1 snapshot, 2 clones)", t)


# ---- WebFlux sample: startup on the real device, then a snapshot with it running, 2 clones ----
def webflux_stage(tap: Tap, img, out: Path) -> None:
    t = time.monotonic()
    c = _clone_two(tap, img, out, "webflux", "webflux", 480)
    if c is None:
        return
    before = tap.failed
    m = re.search(r"^STARTUP-SECONDS (\S+)", c.origin.output, re.M)
    started = re.search(r"Started WebfluxApplication in (\S+) seconds \(process running for (\S+)\)", c.origin.output)
    print(f"# webflux: boot to listening {m.group(1) if m else '?'} s (guest clock); Spring Boot says "
          f"{'started in %s s, process running for %s s' % started.groups() if started else '?'}; "
          f"save {c.save_seconds} s, state {c.state_bytes // 2**20} MiB, restores {c.restore_seconds} s")
    k0 = tap.guest_checks(c.origin.output, "webflux before the snapshot: ")
    ids, keys, tokens = [], [], []
    for i, k in enumerate(c.clones, 1):
        n = tap.guest_checks(k.output, f"webflux clone {i} (guid {k.guid}): ")
        tap.check(k.status == 0 and n >= 5 and not k.dmesg_bad,
                  f"webflux clone {i}: script exit {k.status}, {n} checks, dmesg {len(k.dmesg_bad)} bad lines")
        for tag, acc in (("CLONE-ID", ids), ("CLONE-KEY", keys), ("CLONE-TOKEN", tokens)):
            mm = re.search(rf"^{tag} (\S+)", k.output, re.M)
            acc.append(mm.group(1) if mm else None)
    pre = re.findall(r"^PRE-ID (\S+)", c.origin.output, re.M)
    ok = (k0 >= 6 and len(ids) == 2 and None not in ids + keys and len(set(ids)) == 2 and len(set(keys)) == 2
          and ids[0].rsplit("-", 1)[0] != ids[1].rsplit("-", 1)[0] and not set(ids) & set(pre)
          and len({x.guid for x in c.clones}) == 2)
    tap.check(ok, f"webflux: the two clones of one snapshot issue different IDs and keys: ids {ids}, keys {keys} "
              f"(before the snapshot: {pre[-1] if pre else '?'})")
    if tap.failed > before:
        indent(c.origin.output, 80)
        for k in c.clones:
            indent(k.output, 80)
    tap.timed("webflux (startup, snapshot, 2 clones)", t)
