"""run bench: latency of the Java stack against a C baseline on the real device (a benchmark,
not a test: its checks say that every measurement was taken). C: guest/sgbench.c sub; Java:
BenchSubscribers sub (core EpollLoop registrations) and flux (reactor-adapter subscriptions);
the same C overseer (sgbench overseer) triggers and waits in WAIT_WATCHERS for all three. The
result is a table file (build/bench/vm-bench.tsv; with SGVM_WRITE_DOCS=1 also docs/data/, and
the table in docs/benchmarks.md re-rendered)."""
from __future__ import annotations

import os
import re
import shutil
import statistics
import time
import zipfile
from pathlib import Path

from . import build, tables
from .config import CACHE, GUEST, REPO, env, jdk
from .qemu import guest_env, snapshots
from .report import Report, indent, note

STAGES = ("run",)
KNOBS = {"REPS": "50", "ROUNDS": "2", "WARMUP": "200", "WARMUP_CHANGES": "10000", "NS": "1 100 1000",
         "IMPLS": "c java flux", "IDLE_S": "30", "JAVA_MODE": "direct", "JAVA_OPTS": "", "SUB_CPU": "0",
         "OVERSEER_CPU": "1", "TRIES": "3", "PROFILE": ""}
# SGVM_BENCH_PROFILE=1: async-profiler's JVMTI agent, from Maven Central (Apache-2.0)
PROFILER = ("tools.profiler", "async-profiler", "4.1", "linux-x64")


def pct(xs, p):
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, -(-p * len(xs) // 100) - 1))]   # nearest rank


def jit_checks(rep: Report, lines: list, java_measured: bool) -> None:
    """What the guest's jit_report saw: every Java measurement's path compiled by C2 before its
    measured repetitions (the loop's turn, once per change, stands for it), and no C2 compilation
    during them (one would take the vCPU from the path measured, or mean it was still warming)."""
    turns = [v.split() for v in lines if v.split()[2:3] == ["turn-c2-before"]]
    during = [v.split(None, 4) for v in lines if v.split()[2:3] == ["during"]]
    cold = [f"{impl} N = {n}" for impl, n, _, c in turns if c != "1"]
    rep.check(bool(turns) == java_measured and not cold, f"bench: C2 had compiled the loop's turn (EpollLoop::waitAndDispatch) "
              f"before the window (the measured repetitions and the 2 s before them), in {len(turns) - len(cold)} of "
              f"{len(turns)} Java measurements"
              + (f" (not in: {', '.join(cold)}: raise SGVM_BENCH_WARMUP_CHANGES)" if cold else ""))
    deopts = [d for d in during if d[4].endswith(" deopt")]
    c2 = [f"{d[4]} ({d[0]} N = {d[1]})" for d in during if d[3] == "4" and d not in deopts]
    rep.check(not c2, f"bench: no C2 compilation started during the measured repetitions or the 2 s before them "
              f"({len(c2)} C2, {len(during) - len(c2) - len(deopts)} C1, {len(deopts)} deoptimisations)"
              + (f": {'; '.join(c2[:5])}" if c2 else ""))


def profiler_files(log_file: Path) -> Path:
    """The guest's /data/files for SGVM_BENCH_PROFILE=1: async-profiler's agent (PROFILER, through
    mvn from Maven Central; cached per version), alone: build_image puts the libraries it links
    beside the JRE's, from the host that builds the image."""
    group, artifact, version, classifier = PROFILER
    d = CACHE / f"{artifact}-{version}-{classifier}"
    so = d / "libasyncProfiler.so"
    if so.exists():
        return d
    shutil.rmtree(d, ignore_errors=True)
    (d / "jar").mkdir(parents=True)
    # -N on the root POM: its pluginManagement pins maven-dependency-plugin's version (a goal
    # called outside any project would take whichever version Central's metadata names newest)
    build.sh(["mvn", "-B", "-q", "-ntp", "-N", "-f", REPO / "pom.xml", "dependency:copy",
              f"-Dartifact={group}:{artifact}:{version}:jar:{classifier}", f"-DoutputDirectory={d / 'jar'}"], log_file)
    try:
        with zipfile.ZipFile(next((d / "jar").glob("*.jar"))) as z:
            (d / "stage.so").write_bytes(z.read(f"{classifier}/libasyncProfiler.so"))
    except (StopIteration, KeyError, zipfile.BadZipFile) as e:
        raise build.HarnessError(f"{artifact} {version}: no {classifier}/libasyncProfiler.so in what mvn fetched "
                                 f"({e!r})") from e
    shutil.rmtree(d / "jar")
    (d / "stage.so").rename(so)   # last: a half-made directory is made again
    return d


def profile_summary(rep: Report, lines: list, out: Path, measured: set) -> None:
    """SGVM_BENCH_PROFILE=1: each Java measurement's profile (every round's samples, CPU time of
    every thread of the subscriber JVM, its whole life: the warm-up included) as
    out/profile-IMPL-N.collapsed, and one line each of where the samples fell: the epoll loop's
    thread, the delivery (a Reactor worker or another executor's thread), the JIT compilers,
    the rest; and the acknowledgement's write(2): the system call, and the native call around
    it (JNA's or java.lang.foreign's, from the Java method to the libc wrapper)."""
    stacks: dict = {}
    for v in lines:
        impl, n, count, stack = v.split(" ", 3)
        per = stacks.setdefault((impl, int(n)), {})
        per[stack] = per.get(stack, 0) + int(count)
    for (impl, n), per in sorted(stacks.items()):
        (out / f"profile-{impl}-{n}.collapsed").write_text("".join(f"{s} {c}\n" for s, c in sorted(per.items())))
        total = sum(per.values())
        share = {"loop": 0, "delivery": 0, "JIT": 0, "other": 0, "write(2)": 0, "call": 0}
        for stack, c in per.items():
            frames = stack.split(";")
            # the first frame is the thread ("[name tid=N]", the agent's 'threads' option)
            if "CompilerThread" in frames[0] or any(f.startswith("CompileBroker::compiler_thread_loop") for f in frames):
                share["JIT"] += c
            elif any(f.startswith("dev/sysgenid/EpollLoop.run") for f in frames):
                share["loop"] += c
            elif any(f.startswith(("java/util/concurrent/ThreadPoolExecutor", "java/util/concurrent/ForkJoin"))
                     for f in frames):
                share["delivery"] += c
            else:
                share["other"] += c
            if any(f.startswith("dev/sysgenid/internal/Syscalls.write") for f in frames):
                leaf = frames[-1]
                syscall = leaf.endswith("_[k]") or re.fullmatch(r"_*(libc_)?write(64)?|.*syscall_cancel.*|.*asynccancel.*",
                                                                  leaf)
                share["write(2)" if syscall else "call"] += c
        pct_ = {k: f"{100 * v / max(total, 1):.1f}%" for k, v in share.items()}
        note(f"profile {impl}, N = {n}: {total} samples: loop thread {pct_['loop']}, delivery threads "
             f"{pct_['delivery']}, JIT compilers {pct_['JIT']}, other {pct_['other']}; the acknowledgement: "
             f"system call {pct_['write(2)']}, the native call around it {pct_['call']} "
             f"({out / f'profile-{impl}-{n}.collapsed'})")
    missing = sorted(measured - set(stacks))
    rep.check(not missing, f"bench: SGVM_BENCH_PROFILE=1: a profile of each of the {len(measured)} Java measurements"
              + (f" (none of {', '.join(f'{i} N = {n}' for i, n in missing)})" if missing else ""))


def run(rep: Report, k: build.Kernel, stages, ctx) -> None:
    j = jdk(production=True)
    out = ctx.out
    profile = env("BENCH_PROFILE", "") == "1"
    if profile and env("WRITE_DOCS") == "1":
        rep.check(False, "bench: SGVM_BENCH_PROFILE=1 with SGVM_WRITE_DOCS=1: a profiled run's times are not the "
                         "library's (the agent's signals take the vCPU); run the two apart")
        return
    built = ctx.step(lambda: build.build_jars(out, out / "build.log", samples=False),
                     "host: mvn package of the harness")
    files = built and profile and ctx.step(lambda: profiler_files(out / "build.log"),
                                           f"host: async-profiler {PROFILER[2]} for the guest")
    if profile and not files:
        return
    img = built and ctx.step(lambda: build.build_image(f"bench-jdk{j.feature}-{k.name}", k, ctx.ko, ctx.helpers, j,
                                                       built[0], files=files or None),
                             f"host: guest image (JDK {j.feature})")
    if not img:
        return
    # vCPU k pinned to host core k and the TSC as clocksource: see README.md, "Measuring latency"
    os.environ.setdefault("SGVM_PIN_VCPUS", "1")
    os.environ.setdefault("SGVM_KERNEL_APPEND", "tsc=reliable clocksource=tsc")
    knobs = {f"SGVM_BENCH_{n}": env("BENCH_" + n, d) for n, d in KNOBS.items()}
    warm, reps = (int(v) if v.isdigit() else -1 for v in (knobs["SGVM_BENCH_WARMUP_CHANGES"], knobs["SGVM_BENCH_REPS"]))
    if not rep.check("SGVM_BENCH_WARMUP_EVENTS" not in os.environ and 0 <= warm and 0 < reps
                     and warm + 2 * reps + int(knobs["SGVM_BENCH_WARMUP"]) < 100000,
                     "bench: the warm-up knob is SGVM_BENCH_WARMUP_CHANGES (changes, not listener calls; "
                     "SGVM_BENCH_WARMUP_EVENTS is gone), a number; with the repetitions below 100000 changes "
                     "(what the subscribers can note)"):
        return
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    t0 = time.monotonic()
    r = ctx.step(lambda: snapshots(img, GUEST / "bench.sh", out / "run", guest_env(img, knobs), timeout=2400).origin,
                 "bench: guest started")
    if not r:
        return
    secs = time.monotonic() - t0
    rep.guest(r.out, "bench: ")
    if not rep.check(r.status == 0, f"bench: the guest script finished (status {r.status}, {secs:.0f} s)"):
        indent(r.out.text, 100)
    ov, sub = {}, {}
    for kind in ("ov", "ove"):
        for v in r.out.data.get(kind, []):
            impl, n, gen, t_ns, wait_ns = v.split()
            ov.setdefault((kind, impl, int(n)), []).append((int(gen), int(t_ns), int(wait_ns)))
    for v in r.out.data.get("sub", []):
        impl, n, gen, t_ns = v.split()
        sub.setdefault((impl, int(n)), {})[int(gen)] = int(t_ns)

    def waits(kind):
        return lambda impl, n: [w / 1e6 for _, _, w in ov.get((kind, impl, n), [])]

    def onnext(impl, n):
        return [(sub[(impl, n)][g] - t) / 1e6 for g, t, _ in ov.get(("ov", impl, n), []) if g in sub.get((impl, n), {})]

    rows = []

    def row(name, n, get, target=""):
        if c := get("c", n):
            rows.append([name, n] + [f"{f(xs):.3f}" if (xs := get(impl, n)) else "-"
                                     for impl in ("c", "java", "flux")
                                     for f in (statistics.median, lambda x: pct(x, 99))]
                        + [target] + [f"{statistics.median(xs) / statistics.median(c):.2f}" if (xs := get(impl, n))
                                      else "-" for impl in ("java", "flux")])
    ns = sorted({n for kind, _, n in ov if kind == "ov"})
    for n in ns:
        row("TRIGGER -> WAIT_WATCHERS returns", n, waits("ov"), {1000: "<= 2.0", 1: "<= 3.0"}.get(n, ""))
    row("TRIGGER -> listener call (C: read done; EpollLoop: onGeneration; Flux: onNext)", 1, onnext)
    for n in sorted({n for kind, _, n in ov if kind == "ove"}):
        row(f"TRIGGER -> WAIT_WATCHERS returns, early: after only {knobs['SGVM_BENCH_WARMUP']} changes (Java path "
            "not yet compiled by C2)", n, waits("ove"))
    jit_checks(rep, r.out.data.get("jit", []), any(impl != "c" for _, impl, _ in ov))
    if profile:
        profile_summary(rep, r.out.data.get("prof", []), out, {(impl, n) for kind, impl, n in ov if impl != "c"})
    idle = dict(kv.split("=") for kv in r.out.first("idle", "").split())
    rep.check(bool(idle), f"bench: the guest reported its idle load and memory (DATA idle {r.out.first('idle')!r})")
    heap = dict(kv.split("=") for kv in r.out.first("heap", "").split())
    version = re.search(r'"([^"]+)"', r.out.first("jdk", ""))
    meta = {"date": time.strftime("%Y-%m-%d"), "kernel": k.name, "jdk": version[1] if version else j.feature,
            "syscalls": "java.lang.foreign" if j.foreign else "JNA", "seconds": f"{secs:.0f}",
            "jvm_options": f"{j.opts} {knobs['SGVM_BENCH_JAVA_OPTS']}".strip(),
            "repetitions": len(waits("ov")("c", ns[0])) if ns else 0, "warmup_changes": knobs["SGVM_BENCH_WARMUP_CHANGES"],
            "host_loadavg_before_after": f"{load} / {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
            "jit_log": f"the measured subscriber JVMs add {r.out.first('jitlog', '')}".strip(),
            "profiled": f"async-profiler {PROFILER[2]}: {r.out.first('profiler', '')}" if profile else "no", "crashes": " ".join(r.out.data.get("crash", [])),
            **{f"idle_{k}": v for k, v in idle.items()}, **{f"heap_{k}": v for k, v in heap.items()}}
    header = ["measurement", "n", "c_median", "c_p99", "java_median", "java_p99", "flux_median", "flux_p99", "target",
              "java_ratio", "flux_ratio"]
    tables.write(out / "vm-bench.tsv", header, rows, meta)
    lines = tables.bench_table(out / "vm-bench.tsv")
    print("\n".join(lines))
    rep.check(bool(rows) and len(rows) >= len(ns), f"bench: {len(rows)} table rows written to {out / 'vm-bench.tsv'}")
    if env("WRITE_DOCS") == "1":
        shutil.copy2(out / "vm-bench.tsv", tables.DATA / "vm-bench.tsv")
        tables.render()
