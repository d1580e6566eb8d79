"""run e2e: the Java stack against the real module in a guest. boot1: every core test tagged
real-device, reactor-adapter's subscription lifecycle, the faults; cycles: a chain of snapshot/
restore cycles with one JVM of tracked subscribers; overseer: the overseer CLI; prng: the PRNG
clone demo (one snapshot, two clones); webflux: the Spring Boot sample across a snapshot."""
from __future__ import annotations

import json
import re
import time

from . import build, tables
from .config import GUEST, env, env_int, jdk
from .qemu import guest_env, snapshots
from .report import Report, indent, note

STAGES = ("boot1", "cycles", "overseer", "prng", "webflux")
# every (variant, phase, source) the prng stage compares between the clones
PRNG_CELLS = {(v, p, k) for v in ("none", "properties", "agent", "inline") for p in ("fresh", "after")
              for k in ("default", "drbg", "sha1prng", "uuid") + (("splittable",) if p == "after" else ())}
PRNG_CELLS.add(("none", "after", "plain-splittable"))


def run(rep: Report, k: build.Kernel, stages, ctx) -> None:
    j = jdk()
    out = ctx.out if j.feature == 17 else ctx.out.with_name(f"{ctx.out.name}-jdk{j.feature}")
    out.mkdir(parents=True, exist_ok=True)
    t = time.monotonic()
    built = ctx.step(lambda: build.build_jars(out, out / "build.log"),
                     lambda r: f"host: mvn package -pl {build.HARNESS_JAVA},samples/... -am and core's test-scope "
                               f"dependencies ({len(list(r[0].iterdir()))} jars; "
                               f"{', '.join(p.name for p in r[1].iterdir())})",
                     "host: mvn package of the harness and the samples")
    rep.timed("maven", t)
    if not built:
        return
    t = time.monotonic()
    img = ctx.step(lambda: build.build_image(f"e2e-jdk{j.feature}-{k.name}", k, ctx.ko, ctx.helpers, j, *built),
                   f"host: guest image built (kernel {k.name}, JDK {j.feature})")
    rep.timed("image", t)
    if not img:
        return
    core_tests = [f"/data/jars/{n}" for n in img.jars if re.fullmatch(r"sysgenid-core-.*-tests\.jar", n)]
    genv = guest_env(img, {"SGVM_CORE_TESTS": ":".join(core_tests), "SGVM_CYCLES": env_int("CYCLES", 20),
                           "SGVM_SUBSCRIBERS": env_int("SUBSCRIBERS", 100),
                           "SGVM_CYCLES_MODE": env("CYCLES_MODE", "both")})
    for stage in (s for s in STAGES if s in stages):
        t = time.monotonic()
        globals()[stage](rep, ctx, img, genv, out)
        rep.timed(stage, t)


def boot1(rep, ctx, img, genv, out) -> None:
    r = ctx.step(lambda: snapshots(img, GUEST / "boot1.sh", out / "boot1", genv,
                                         timeout=600 * build.slowdown(img.kernel)).origin,
                 "boot 1: guest started")
    if r:
        rep.check(r.module == "loaded", f"boot 1: sysgenid.ko loaded ({r.module})")
        rep.finished(r, "boot 1", 46)


def cycles(rep, ctx, img, genv, out) -> None:
    n = genv["SGVM_CYCLES"]
    s = ctx.step(lambda: snapshots(img, GUEST / "cycles.sh", out / "cycles", genv, levels=n, marker="CYCLE-READY {k}",
                                   timeout=180, on_restore=lambda x: note(
                                       f"restore {x.level + 1}/{n}: guid {x.guid} save {x.save_seconds:.2f} s restore "
                                       f"{x.restore_seconds:.2f} s (guest work before the marker "
                                       f"{x.marker_seconds:.2f} s)")),
                 f"restore chain: booted and ran {n} snapshot/restore cycles")
    if not s:
        return
    for x in s.results[:-1]:
        rep.guest(x.out, "restore chain: ")
    rep.finished(s.results[-1], "restore chain, last clone", 2)    # its cycle's two; the origin one, each clone two
    passed = sum(bool(ok and re.match(r"cycle \d+: gen ", text)) for x in s.results for ok, text in x.out.checks)
    k = sum(len(x.out.checks) for x in s.results)
    rep.check(len(s.restores) == n == passed and k == 1 + 2 * n and "CYCLES-DONE" in s.results[-1].out.text,
              f"restore chain: {len(s.restores)} snapshot/restore cycles in a row, each from the previous clone with "
              f"a new guid; {passed} passed cycles; {k} checks (want {1 + 2 * n})")
    guids = len({x.guid for x in s.restores})
    rep.check(guids == n, f"restore chain: {guids} distinct guids")
    if s.restores:
        note(f"restore chain: save {sum(x.save_seconds for x in s.restores) / n:.2f} s, restore "
             f"{sum(x.restore_seconds for x in s.restores) / n:.2f} s per cycle on average")


def overseer(rep, ctx, img, genv, out) -> None:
    r = ctx.step(lambda: snapshots(img, GUEST / "overseer.sh", out / "overseer", genv, timeout=600).origin,
                 "overseer CLI: guest started")
    if not r:
        return
    o = r.out
    try:
        st = json.loads(o.first("status-json", ""))
        # the counts only where the driver reports them (ours; the production driver has none)
        counts = st.get("countsReported")
        ok = (o.first("status-json-rc") == "0" and st.get("state") == "present" and st.get("simulated") is False
              and str(st.get("generation")) == o.first("lib-gen") and bool(st.get("driver"))
              and isinstance(counts, bool)
              and all(isinstance(st.get(k), int) == counts for k in ("trackedWatchers", "outdatedWatchers")))
    except ValueError as e:
        st, counts, ok = f"does not parse: {e}: {o.first('status-json')!r}", None, False
    rep.check(ok, f"overseer CLI: --json status parses, present, the driver named, generation = the library's "
                  f"{o.first('lib-gen')}: {st}")
    try:
        w = json.loads(o.first("wait-json", ""))
        ok = (o.first("wait-json-rc") == "6" and w.get("exitCode") == 6
              and w.get("outdatedWatchers") == (1 if counts else None))
    except ValueError as e:
        w, ok = f"does not parse: {e}: {o.first('wait-json')!r}", False
    rep.check(ok, f"overseer CLI: --json wait timing out parses, exit 6, outdatedWatchers "
                  f"{'1' if counts else 'absent (no counts)'}: {w}")
    rep.finished(r, "overseer CLI", 9)


def two_clones(ctx, img, genv, out, name: str, timeout: int):
    return ctx.step(lambda: snapshots(img, GUEST / f"{name}.sh", out / name, genv, levels=1, clones=2, timeout=timeout),
                    lambda c: f"{name}: one snapshot restored twice with new guids "
                              f"({', '.join(x.guid for x in c.clones)}); save {c.restores[0].save_seconds} s, "
                              f"state {c.state_bytes >> 20} MiB", f"{name}: one snapshot, two clones")


def prng(rep, ctx, img, genv, out) -> None:
    c = two_clones(ctx, img, genv, out, "prng", 300)
    if not c:
        return
    before = rep.failed
    for i, x in enumerate(c.clones, 1):
        rep.finished(x, f"prng clone {i} (guid {x.guid})", 1)
    # every "VARIANT clone-demo PHASE KEY VALUE" after the restore, clone by clone; the plain
    # SplittableRandom (variant 'plain') is a source of the no-provider run
    seen = [{}, {}]
    for i, x in enumerate(c.clones):
        for v in x.out.data.get("prng", []):
            if m := re.fullmatch(r"(\w+) clone-demo (\w+) (\S+) (.*)", v):
                variant, phase, key, value = m.groups()
                seen[i][("none" if variant == "plain" else variant, phase, key)] = value.strip()
    missing = sorted(f"{v}:{p}:{k}" for v, p, k in PRNG_CELLS if any((v, p, k) not in x for x in seen))
    rep.check(not missing, f"prng: every variant printed every phase and source in both clones (missing: {missing})")
    cells = {key: tuple(s.get(key) for s in seen) for key in {**seen[0], **seen[1]} if key[1] not in ("before", "info")}
    differ = {key: None not in vals and len(set(vals)) == 2 for key, vals in cells.items()}
    repeat = [f"{p}:{k}" for (v, p, k), d in differ.items() if v == "none" and not d]
    rep.check(all(f"after:{k}" in repeat for k in ("drbg", "sha1prng", "plain-splittable")),
              f"prng without the provider: repeat across the two clones: {', '.join(repeat) or 'none'} (SUN DRBG, "
              "SHA1PRNG and a seeded java.util.SplittableRandom must: the problem being shown)")
    note("prng without the provider: differ between the clones: "
         + ", ".join(f"{p}:{k}" for (v, p, k), d in differ.items() if v == "none" and d))
    for variant in ("properties", "agent", "inline"):
        mine = {f"{p}:{k}": d for (v, p, k), d in differ.items() if v == variant}
        prov = seen[0].get((variant, "info", "providers"), "?")
        reseeds = [s.get((variant, "info", "reseeds"), "?") for s in seen]
        ok = bool(mine) and all(mine.values()) and "drbg=SnapshotSafe" in prov
        if variant == "inline":
            ok = ok and all(re.search(r"\beager=0\b", r) and not re.search(r"\binline=0\b", r) for r in reseeds)
        rep.check(ok, f"prng with the provider ({variant}): every source differs between the clones, every phase "
                      f"({', '.join(k for k, d in mine.items() if d)}); providers {prov}; reseeds {reseeds}")
    rows = [[v, p, k, *vals] for (v, p, k), vals in sorted(cells.items())]
    tables.write(out / "prng-clones.tsv", ["variant", "phase", "source", "clone1", "clone2"], rows, {})
    for line in tables.prng_table(out / "prng-clones.tsv"):
        note(line)
    if rep.failed > before:
        for x in c.results:
            indent(x.out.text, 80)


def webflux(rep, ctx, img, genv, out) -> None:
    c = two_clones(ctx, img, genv, out, "webflux", 480)
    if not c:
        return
    before = rep.failed
    o = c.origin.out
    started = re.search(r"Started WebfluxApplication in (\S+) seconds \(process running for (\S+)\)", o.text)
    note(f"webflux: boot to listening {o.first('startup-seconds', '?')} s (guest clock); Spring Boot says "
         f"{'started in %s s, process running for %s s' % started.groups() if started else '?'}")
    k0 = rep.guest(o, "webflux before the snapshot: ")
    for i, x in enumerate(c.clones, 1):
        rep.finished(x, f"webflux clone {i} (guid {x.guid})", 5)
    ids, keys = [x.out.first("clone-id") for x in c.clones], [x.out.first("clone-key") for x in c.clones]
    pre = o.data.get("pre-id", [])
    ok = (k0 == 6 and None not in ids + keys and len(set(ids)) == 2 == len(set(keys))
          and ids[0].rsplit("-", 1)[0] != ids[1].rsplit("-", 1)[0] and not set(ids) & set(pre))
    rep.check(ok, f"webflux: the two clones of one snapshot issue different IDs and keys: ids {ids}, keys {keys} "
                  f"(before the snapshot: {pre[-1] if pre else '?'})")
    if rep.failed > before:
        for x in c.results:
            indent(x.out.text, 80)
