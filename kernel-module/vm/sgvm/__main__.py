"""kernel-module/vm/run selftest|matrix|e2e|bench|debian [STAGE...] | kernels | roots | render (see kernel-module/vm/README.md)."""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Optional, Union

from . import bench, build, config, debian, e2e, matrix, selftest, tables
from .build import HarnessError
from .config import BUILD, CI, VM
from .report import Report, indent, note

SUITES = {"selftest": selftest, "matrix": matrix, "e2e": e2e, "bench": bench, "debian": debian}


@dataclasses.dataclass
class Context:
    """What every suite shares for one kernel: its log directory, sysgenid.ko, the helpers."""
    rep: Report
    out: Path
    ko: Optional[Path] = None
    helpers: list = dataclasses.field(default_factory=list)

    def step(self, fn: Callable, text: Union[str, Callable], what: str = ""):
        """fn() as one check: ok with TEXT (or TEXT(result)), or not ok with WHAT (or TEXT) and
        the error; None then."""
        try:
            r = fn()
        except (HarnessError, subprocess.CalledProcessError, OSError) as e:
            self.rep.check(False, f"{what or text}: {(str(e).splitlines() or [repr(e)])[0]}")
            indent(str(e), 60)
            return None
        self.rep.check(True, text(r) if callable(text) else text)
        return r


# SGVM_MODULE_BUILD: how sysgenid.ko is built, and the check's text
MODULE_BUILDS = {"make": (build.build_module, "build: sysgenid.ko against {k} (make KDIR=...)"),
                 "dkms": (build.build_module_dkms, "build: sysgenid.ko through DKMS (dkms add, build -k {k}, "
                                                   "install -k {k} of {pkg}; dkms status: installed)")}


def usage() -> int:
    print(__doc__ + "\nsuites and stages: " + "; ".join(f"{n}: {' '.join(m.STAGES)}" for n, m in SUITES.items())
          + "\nalso: render (the docs tables from docs/data); kernels (install or build SGVM_KERNELS, e.g. debug, "
          "matrix); roots (build the Debian guest's root)", file=sys.stderr)
    return 2


def main(argv: list) -> int:
    if argv[:1] == ["render"]:
        tables.render()
        return 0
    if argv[:1] == ["kernels"]:     # install and build what SGVM_KERNELS needs (CI starts it early)
        specs = build.kernel_specs()
        missing = build.install_deps(config.jdk(), specs)
        if missing:
            note("missing: " + ", ".join(missing))
        for k in build.kernels(specs):
            print(f"{k.name} {k.kdir} {k.boot}")
        return 1 if missing and CI else 0
    if argv[:1] == ["roots"]:       # install and build the Debian guest's root (CI starts it early)
        missing = build.install_deps(config.jdk(), suite="debian")
        if missing:
            print("missing: " + ", ".join(missing), file=sys.stderr)
            return 1 if CI else 0
        r = build.debian_root(BUILD / "debian-root.log")
        print(f"{r.dir} {r.kernel} {r.upgrade}")
        return 0
    if not argv or argv[0] not in SUITES or not set(argv[1:]) <= set(SUITES[argv[0]].STAGES):
        return usage()
    suite = SUITES[argv[0]]
    stages = argv[1:] or suite.STAGES
    rep = Report()
    out = BUILD / argv[0]
    out.mkdir(parents=True, exist_ok=True)
    t = time.monotonic()
    specs = build.kernel_specs(getattr(suite, "KERNELS", ""))
    how = config.env("MODULE_BUILD", getattr(suite, "MODULE_BUILD", "make"))
    if how not in MODULE_BUILDS:
        print(f"SGVM_MODULE_BUILD={how}: one of {', '.join(MODULE_BUILDS)}", file=sys.stderr)
        return 2
    missing = build.install_deps(config.jdk(production=argv[0] == "bench"), specs, argv[0])
    if missing:
        note("missing: " + ", ".join(missing))
        if not CI:
            print("# SKIP: tools missing and not installable here (not CI)\n0 passed, 0 failed, 1 skipped")
            return 0
        rep.check(False, "host: packages and tools present (CI: cannot install)")
        return rep.finish()
    rep.check(True, "host: packages and tools present")
    rep.timed("package install", t)
    ctx = Context(rep, out)
    kernels = ctx.step(lambda: build.kernels(specs), lambda ks: "host: kernel " + ", ".join(k.name for k in ks)
                       + f" with headers (the running kernel {os.uname().release} is not used)",
                       "host: a kernel to test with headers")
    for k in kernels or []:
        several = len(kernels) > 1
        rep.prefix = f"[{k.name}] " if several else ""
        ctx = Context(rep, out / k.name if several else out)
        ctx.out.mkdir(parents=True, exist_ok=True)
        (ctx.out / "build.log").unlink(missing_ok=True)
        t = t_kernel = time.monotonic()
        n0, failed0 = rep.n, rep.failed
        ctx.ko = ctx.step(lambda: MODULE_BUILDS[how][0](k, ctx.out / "build.log"),
                          MODULE_BUILDS[how][1].format(k=build.release(k), pkg="/".join(build.dkms_package())))
        ctx.helpers = ctx.step(lambda: build.build_helpers(ctx.out / "build.log"),
                               "build: static guest helpers (gcc -Werror): "
                               + " ".join(p.stem for p in sorted((VM / "guest").glob("*.c"))))
        rep.timed("module and helpers build", t)
        if ctx.ko and ctx.helpers is not None:
            suite.run(rep, k, stages, ctx)
        if several:     # one line per kernel: what ran on it, how long it took, whether all passed
            rep.prefix = ""
            rep.timed(f"kernel {k.name}", t_kernel)
            rep.check(rep.failed == failed0, f"{k.name}: {argv[0]} {' '.join(stages)} with sysgenid.ko built by "
                      f"{how}: {rep.n - n0 - (rep.failed - failed0)} checks passed, {rep.failed - failed0} failed "
                      f"({time.monotonic() - t_kernel:.0f} s)")
    return rep.finish()


sys.exit(main(sys.argv[1:]))
