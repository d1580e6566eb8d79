"""Result tables as data: tab-separated files with '# key: value' lines on top, and the small
renderer that turns them into the Markdown tables of README.md and docs/benchmarks.md between
'<!-- sgvm-table NAME -->' and '<!-- /sgvm-table -->' (the prose around them is hand-written).
kernel-module/vm/run render re-renders them from docs/data/NAME.tsv."""
from __future__ import annotations

import re
from pathlib import Path

from .config import REPO

DATA = REPO / "docs" / "data"
DOCS = (REPO / "README.md", REPO / "docs" / "benchmarks.md")
PRNG_SOURCES = {"drbg": "DRBG", "sha1prng": "SHA1PRNG", "default": "default `SecureRandom`",
                "uuid": "`UUID.randomUUID()`", "splittable": "`SnapshotSafeSplittableRandom` (fixed seed)",
                "plain-splittable": "`java.util.SplittableRandom` (fixed seed)"}
PRNG_ROWS = {"none": "no provider (SUN)", "properties": "`-Djava.security.properties=snapshot-safe.security`",
             "agent": "`-javaagent:sysgenid-prng-reseeder-all.jar`",
             "inline": "properties, `-Dsysgenid.prng.eager=false` (in-line check only, no subscriber)"}
PHASES = {"after": "drawn after the restore by generators created before the snapshot",
          "fresh": "drawn by generators created only after the restore"}


def write(path: Path, header: list, rows: list, meta: dict) -> None:
    path.write_text("".join(f"# {k}: {v}\n" for k, v in meta.items()) + "\t".join(header) + "\n"
                    + "".join("\t".join(str(c) for c in r) + "\n" for r in rows))


def read(path: Path) -> tuple:
    """(meta, rows as dicts by header)"""
    lines = path.read_text().splitlines()
    meta = dict(line[2:].split(": ", 1) for line in lines if line.startswith("# "))
    body = [line.split("\t") for line in lines if not line.startswith("# ")]
    return meta, [dict(zip(body[0], r)) for r in body[1:]]


def prng_table(path: Path) -> list:
    """One table per phase compared: a row per install variant, a column per source."""
    _, rows = read(path)
    out = []
    for phase in dict.fromkeys(r["phase"] for r in rows):
        cells = {(r["variant"], r["source"]): (r["clone1"], r["clone2"]) for r in rows if r["phase"] == phase}
        sources = [s for s in dict.fromkeys([*PRNG_SOURCES, *(k for _, k in cells)]) if any(k == s for _, k in cells)]
        variants = [v for v in dict.fromkeys([*PRNG_ROWS, *(v for v, _ in cells)]) if any(x == v for x, _ in cells)]

        def cell(v, s):
            vals = cells.get((v, s))
            if vals is None:
                return "— (the provider does not wrap it)"
            if "None" in vals or "" in vals:
                return "missing"
            a, b = (x.replace("-", "")[:8] for x in vals)
            return f"differ (`{a}…` / `{b}…`)" if vals[0] != vals[1] else f"**same in both clones** (`{a}…`)"
        title = [f"Values {PHASES.get(phase, phase)} (`{phase}`), clone 1 vs clone 2:", ""]
        out += (title if len(out) or phase != "after" else []) + \
               ["| run | " + " | ".join(PRNG_SOURCES.get(s, f"`{s}`") for s in sources) + " |",
                "|---|" + "---|" * len(sources)] + \
               [f"| {PRNG_ROWS.get(v, v)} | " + " | ".join(cell(v, s) for s in sources) + " |" for v in variants] + [""]
    return out[:-1]


def bench_table(path: Path) -> list:
    meta, rows = read(path)
    out = [f"Measured {meta['date']}: kernel {meta['kernel']}, guest JDK {meta['jdk']} (core's system calls through "
           f"{meta['syscalls']}), guest JVM options `{meta['jvm_options']}`, {meta['repetitions']} measured "
           "repetitions "
           f"per row after {meta.get('warmup_changes', 'at least 200')} changes of warm-up, guest run {meta['seconds']} s.",
           "",
           "| measurement | N | C median (ms) | C p99 (ms) | Java EpollLoop median / p99 (ms) | Java/C "
           "| Java Flux median / p99 (ms) | Flux/C | issue 4/6 target (Java/C) |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        cells = []
        for impl in ("java", "flux"):
            cells += [f"{r[impl + '_median']} / {r[impl + '_p99']}", r[impl + "_ratio"]] \
                if r[impl + "_median"] != "-" else ["-", "-"]
        out.append(f"| {r['measurement']} | {r['n']} | {r['c_median']} | {r['c_p99']} | " + " | ".join(cells)
                   + f" | {r['target']} |")
    crashes = meta.get("crashes", "").split()
    return out + ["", f"Idle: the Java stack with {meta['idle_n']} registrations over "
                  f"{int(meta['idle_wall_ms']) // 1000} s "
                  f"idle: process CPU {meta['idle_process_cpu_ms']} ms (all JVM threads: GC, JIT, VM periodic tasks), "
                  f"epoll thread CPU {meta['idle_epoll_thread_cpu_ms']} ms (target ~0: it sleeps in epoll_wait "
                  "without a "
                  "timeout; no polling).",
                  f"Heap (used heap after GC, MemoryMXBean, G1; {meta['heap_n']} more of each, divided; the fd and "
                  "kernel "
                  f"memory are not on the heap): {meta['heap_per_subscription_bytes']} bytes per core `EpollLoop` "
                  f"registration (watcher included), {meta['heap_per_flux_subscription_bytes']} bytes per tracked Flux "
                  "subscription (watcher, registration, session, Reactor's subscriber chain).",
                  f"JVM crashes during this run: {len(crashes)}"
                  + (f" ({', '.join(crashes)}; each measurement was run again)." if crashes else ".")]


RENDERERS = {"prng-clones": prng_table, "vm-bench": bench_table}


def render() -> None:
    """Replace every marked table in the docs with the one rendered from docs/data/NAME.tsv."""
    for doc in DOCS:
        text = doc.read_text()
        new = re.sub(r"(<!-- sgvm-table ([\w-]+) -->\n).*?(<!-- /sgvm-table -->)",
                     lambda m: m[1] + "\n".join(RENDERERS[m[2]](DATA / f"{m[2]}.tsv")) + "\n" + m[3], text, flags=re.S)
        if new != text:
            doc.write_text(new)
            print(f"render: {doc.relative_to(REPO)}")
