"""Every knob of the harness (environment variables with the one prefix SGVM_), the paths,
and the one place that decides the guest's JDK and its JVM options."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

VM = Path(__file__).resolve().parent.parent          # kernel-module/vm
KMOD = VM.parent                                      # kernel-module
REPO = KMOD.parent
GUEST = VM / "guest"                                  # everything that runs in the guest


def env(name: str, default: str = "") -> str:
    """The knob SGVM_<name> (all are listed in kernel-module/vm/README.md)."""
    return os.environ.get("SGVM_" + name, default)


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


BUILD = Path(env("BUILD_DIR", str(VM / "build")))
CACHE = BUILD / "cache"
# CI: any CI value but empty, "false", "0" or "no" (CI=true, CI=1, ...): a missing tool fails
CI = os.environ.get("CI", "").strip().lower() not in ("", "false", "0", "no")
# The kernel matrix (`run matrix`, SGVM_KERNELS=matrix): Debian's own kernel series, each in its
# generic and its PREEMPT_RT flavour (the suffix of the kernel release). Which version of each is
# not pinned here: the newest that apt's lists offer at run time (build.matrix_releases()), since
# Debian's archive keeps only the newest ABI of a series (6.12 comes from bookworm-security,
# which drops the previous one at each update): a pinned list would stop installing within weeks.
# SGVM_KERNELS="<release> ..." runs exact installed versions instead.
MATRIX_SERIES = ("6.1", "6.12")
MATRIX_FLAVOURS = ("amd64", "rt-amd64")
JDK17 = Path("/usr/lib/jvm/java-17-openjdk-amd64")
JDK25 = Path("/usr/lib/jvm/temurin-25-jdk-amd64")
# the guest JRE: enough for core, reactor-adapter, JUnit, Spring Boot 4 (java.desktop for
# java.beans, java.sql, JMX), the PRNG sample's -javaagent route (java.instrument) and JUnit's
# scan of the test jar (jdk.zipfs)
JRE_MODULES = [m for m in env("JRE_MODULES", "java.base,java.logging,java.management,jdk.unsupported,"
               "java.naming,jdk.crypto.ec,java.xml,java.desktop,java.sql,java.instrument,"
               "jdk.management,jdk.zipfs").split(",") if m]
# Lines of the guest's kernel log that count as a kernel problem: /init greps its dmesg after the script,
# the host the console of a guest that never got that far (qemu.GuestResult.dmesg_bad).
DMESG_BAD = (r"Kernel panic|WARNING:|BUG:|Oops|general protection fault|kernel BUG|Call Trace:|lockdep is turned off|DEBUG_LOCKS_WARN_ON|"
             r"possible circular locking|possible recursive locking|inconsistent lock state|"
             r"INFO: task .* blocked|UBSAN|KASAN|refcount_t:|list_(add|del) corruption|"
             r"sleeping function called from invalid context|scheduling while atomic|"
             r"rcu: INFO|detected stall|kmemleak: .*suspected memory leak|unreferenced object")


@dataclasses.dataclass(frozen=True)
class Jdk:
    """The guest's JDK and the JVM options every guest JVM gets (passed in as $JAVA_OPTS)."""
    home: Path
    feature: int
    opts: str

    @property
    def foreign(self) -> bool:
        """core's data-path system calls go through java.lang.foreign (JDK 22+), else JNA."""
        return self.feature >= 22


def jdk(production: bool = False) -> Jdk:
    """SGVM_JDK, else JDK 17 for the tests and the newest installed LTS for a benchmark.
    Tests run C1 only (fast start under TCG); production=True: tiered up to C2, as deployed.
    JDK 22+ needs --enable-native-access for core's java.lang.foreign calls (and JNA's load)."""
    default = JDK25 if production and (JDK25 / "bin/java").exists() else JDK17
    home = Path(env("JDK", str(default)))
    if not (home / "release").is_file():
        raise SystemExit(f"SGVM_JDK={home}: not a JDK (no {home / 'release'}); set it to a JDK's home or unset it")
    feature = 0
    for line in (home / "release").read_text().splitlines():
        if line.startswith("JAVA_VERSION="):
            feature = int(line.split("=", 1)[1].strip('"').split(".")[0])
    opts = "-XX:-UsePerfData -Xshare:auto" if production else \
        "-XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xshare:auto"
    if feature >= 22:
        opts += " --enable-native-access=ALL-UNNAMED"
    return Jdk(home, feature, opts)
