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
from .qemu import GuestResult, guest_env, snapshots
from .report import Report, indent, note

STAGES = ("boot1", "cycles", "overseer", "prng", "webflux")


def run(rep: Report, k: build.Kernel, stages, ctx) -> None:
    j = jdk()
    out = ctx.out if j.feature == 17 else ctx.out.with_name(f"{ctx.out.name}-jdk{j.feature}")
    out.mkdir(parents=True, exist_ok=True)
    t = time.monotonic()
    built = ctx.step(lambda: build.build_jars(out, out / "build.log"),
                     lambda r: f"host: mvn package -pl {build.HARNESS_JAVA},samples/... -am and core's test-scope "
                               f"dependencies ({len(list(r[0].iterdir()))} jars; {', '.join(p.name for p in r[1].iterdir())})",
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


def finished(rep: Report, r: GuestResult, what: str, min_checks: int) -> None:
    """The guest's checks, then: the script ended well with at least MIN_CHECKS, dmesg clean."""
    before = rep.failed
    k = rep.guest(r.out, what + ": ")
    rep.check(r.status == 0 and k >= min_checks, f"{what}: the guest script finished (status {r.status}, {k} checks)")
    rep.check(not r.dmesg_bad, f"{what}: dmesg clean ({len(r.dmesg_bad)} bad lines)")
    if rep.failed > before:
        indent(r.out.text, 200)
        indent("\n".join(r.dmesg_bad))


def boot1(rep, ctx, img, genv, out) -> None:
    r = ctx.step(lambda: snapshots(img, GUEST / "boot1.sh", out / "boot1", genv,
                                         timeout=600 * build.slowdown(img.kernel)).origin,
                 "boot 1: guest started")
    if r:
        rep.check(r.module == "loaded", f"boot 1: sysgenid.ko loaded ({r.module})")
        finished(rep, r, "boot 1", 15)


def cycles(rep, ctx, img, genv, out) -> None:
    n = genv["SGVM_CYCLES"]
    s = ctx.step(lambda: snapshots(img, GUEST / "cycles.sh", out / "cycles", genv, levels=n, marker="CYCLE-READY {k}",
                                   timeout=180, on_restore=lambda x: note(
                                       f"restore {x.level + 1}/{n}: guid {x.guid} save {x.save_seconds:.2f} s restore "
                                       f"{x.restore_seconds:.2f} s (guest work before the marker {x.marker_seconds:.2f} s)")),
                 f"restore chain: booted and ran {n} snapshot/restore cycles")
    if not s:
        return
    for x in s.results:
        rep.guest(x.out, "restore chain: ")
    passed = sum(bool(ok and re.match(r"cycle \d+: gen ", text)) for x in s.results for ok, text in x.out.checks)
    last = s.results[-1]
    rep.check(len(s.restores) == n == passed and last.status == 0 and "CYCLES-DONE" in last.out.text,
              f"restore chain: {len(s.restores)} snapshot/restore cycles in a row, each from the previous clone with "
              f"a new guid; {passed} passed cycles; last clone exit {last.status}")
    rep.check(len({x.guid for x in s.restores}) == n, f"restore chain: {len({x.guid for x in s.restores})} distinct guids")
    bad = [line for x in s.results for line in x.dmesg_bad]
    rep.check(not bad, f"restore chain: dmesg clean ({len(bad)} bad lines)")
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
        ok = (o.first("status-json-rc") == "0" and st.get("state") == "present" and st.get("simulated") is False
              and str(st.get("generation")) == o.first("sysfs-gen") and isinstance(st.get("trackedWatchers"), int)
              and isinstance(st.get("outdatedWatchers"), int))
    except ValueError as e:
        st, ok = f"does not parse: {e}: {o.first('status-json')!r}", False
    rep.check(ok, f"overseer CLI: --json status parses, present, generation = sysfs {o.first('sysfs-gen')}: {st}")
    try:
        w = json.loads(o.first("wait-json", ""))
        ok = o.first("wait-json-rc") == "6" and w.get("exitCode") == 6 and w.get("outdatedWatchers") == 1
    except ValueError as e:
        w, ok = f"does not parse: {e}: {o.first('wait-json')!r}", False
    rep.check(ok, f"overseer CLI: --json wait timing out parses, exit 6, outdatedWatchers 1: {w}")
    finished(rep, r, "overseer CLI", 9)


def two_clones(ctx, img, genv, out, name: str, timeout: int):
    return ctx.step(lambda: snapshots(img, GUEST / f"{name}.sh", out / name, genv, levels=1, clones=2, timeout=timeout),
                    lambda c: f"{name}: one snapshot restored twice with new guids ({', '.join(x.guid for x in c.clones)}); "
                              f"save {c.restores[0].save_seconds} s, state {c.state_bytes >> 20} MiB", f"{name}: one snapshot, two clones")


def prng(rep, ctx, img, genv, out) -> None:
    c = two_clones(ctx, img, genv, out, "prng", 300)
    if not c:
        return
    before = rep.failed
    rep.check(all(x.status == 0 for x in c.clones) and len({x.guid for x in c.clones}) == 2,
              f"prng clone demo: 5 JVMs waiting in the snapshot; clone exits {[x.status for x in c.clones]}")
    # every "VARIANT clone-demo PHASE KEY VALUE" after the restore, clone by clone; the plain
    # SplittableRandom (variant 'plain') is a source of the no-provider run
    seen = [{}, {}]
    for i, x in enumerate(c.clones):
        for v in x.out.data.get("prng", []):
            if m := re.fullmatch(r"(\w+) clone-demo (\w+) (\S+) (.*)", v):
                variant, phase, key, value = m.groups()
                seen[i][("none" if variant == "plain" else variant, phase, key)] = value.strip()
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
        n = rep.guest(x.out, f"webflux clone {i} (guid {x.guid}): ")
        rep.check(x.status == 0 and n >= 5 and not x.dmesg_bad,
                  f"webflux clone {i}: script exit {x.status}, {n} checks, dmesg {len(x.dmesg_bad)} bad lines")
    ids, keys = [x.out.first("clone-id") for x in c.clones], [x.out.first("clone-key") for x in c.clones]
    pre = o.data.get("pre-id", [])
    ok = (k0 >= 6 and None not in ids + keys and len(set(ids)) == 2 == len(set(keys))
          and ids[0].rsplit("-", 1)[0] != ids[1].rsplit("-", 1)[0] and not set(ids) & set(pre))
    rep.check(ok, f"webflux: the two clones of one snapshot issue different IDs and keys: ids {ids}, keys {keys} "
                  f"(before the snapshot: {pre[-1] if pre else '?'})")
    if rep.failed > before:
        for x in c.results:
            indent(x.out.text, 80)
