"""The one parser of guest output and the one report: TAP-style lines on the host.

Guest lines (guest/lib.sh): "CHECK ok|not-ok - TEXT", "DATA KEY VALUE...", and /init's own
"@@SG-WHAT VALUE@@" (MODULE, DATA, BOOTED, KMOD-FAILED, DMESG, EXIT). Everything else is the
guest's free text, shown only when a check failed; but a line with the word CHECK in it that is
not a result line is a malformed result: a failed check."""
from __future__ import annotations

import dataclasses
import re
import time
from typing import Optional

LINE = re.compile(r"^(?:@@SG-(?P<init>[A-Z-]+) ?(?P<iv>.*)@@|CHECK (?P<ok>ok|not-ok) - (?P<text>.*)"
                  r"|DATA (?P<key>\S+) ?(?P<value>.*))$")


@dataclasses.dataclass
class Output:
    """One guest's output, parsed: checks in order, data lines by key, /init's lines by name."""
    text: str
    checks: list = dataclasses.field(default_factory=list)   # [(ok, text)]
    data: dict = dataclasses.field(default_factory=dict)     # key -> [value, ...]
    init: dict = dataclasses.field(default_factory=dict)     # MODULE -> [loaded], EXIT -> [0], ...

    def first(self, key: str, default: Optional[str] = None) -> Optional[str]:
        return (self.data.get(key) or [default])[0]

    def find(self, key: str, pattern: str) -> Optional[re.Match]:
        """The first value of KEY matching the regex (e.g. sgwatch's 'woke gen=(\\d+)')."""
        return next((m for v in self.data.get(key, []) if (m := re.fullmatch(pattern, v))), None)


def parse(text: str) -> Output:
    out = Output(text)
    for line in text.splitlines():
        m = LINE.match(line)
        if not m:
            if re.search(r"\bCHECK\b", line):
                out.checks.append((False, f"malformed result line: {line!r}"))
            continue
        if m["init"]:
            out.init.setdefault(m["init"], []).append(m["iv"])
        elif m["ok"]:
            out.checks.append((m["ok"] == "ok", m["text"]))
        else:
            out.data.setdefault(m["key"], []).append(m["value"])
    return out


def indent(text: str, tail: int = 80) -> None:
    lines = text.rstrip("\n").splitlines()
    if len(lines) > tail:
        print(f"    | ... ({len(lines) - tail} lines before)")
    for line in lines[-tail:]:
        print("    | " + line)


class Report:
    """'ok N - TEXT' / 'not ok N - TEXT' per check, '# time' lines, 'N passed, N failed'."""

    def __init__(self, prefix: str = ""):
        self.n = self.passed = self.failed = 0
        self.prefix = prefix
        self.t0 = time.monotonic()
        self.times: list[str] = []

    def check(self, ok: bool, text: str) -> bool:
        self.n += 1
        self.passed += bool(ok)
        self.failed += not ok
        print(f"{'ok' if ok else 'not ok'} {self.n} - {self.prefix}{text}", flush=True)
        return bool(ok)

    def guest(self, out: Output, prefix: str = "") -> int:
        """The guest's CHECK lines as checks; returns how many there were."""
        for ok, text in out.checks:
            self.check(ok, prefix + text)
        return len(out.checks)

    def finished(self, r, what: str, expected: int) -> int:
        """How every guest script ends, stage by stage: its checks, then one check that it exited 0
        with exactly EXPECTED (at least 1) checks and one that the kernel log has no bad line
        (qemu.GuestResult.dmesg_bad: /init's grep, or the console of a guest that never finished); the
        script's output, and why it did not finish, when one failed. Returns the checks' count."""
        before, k = self.failed, self.guest(r.out, what + ": ")
        why = f": {r.error.splitlines()[0]}" if r.error else ""
        self.check(r.status == 0 and k == expected >= 1,
                   f"{what}: the guest script finished (status {r.status}, {k} of {expected} checks{why})")
        self.check(not r.dmesg_bad, f"{what}: dmesg clean ({len(r.dmesg_bad)} bad lines)")
        if self.failed > before:
            indent("\n".join(filter(None, (r.out.text, r.error))), 200)
            indent("\n".join(r.dmesg_bad))
        return k

    def timed(self, stage: str, t0: float) -> None:
        self.times.append(f"{stage}={time.monotonic() - t0:.1f}")
        print(f"# time {stage}: {time.monotonic() - t0:.1f} s", flush=True)

    def finish(self) -> int:
        print(f"# stage times (s): {' '.join(self.times)} total={time.monotonic() - self.t0:.1f}")
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        return 0 if self.failed == 0 else 1


def note(text: str) -> None:
    print("# " + text, flush=True)
