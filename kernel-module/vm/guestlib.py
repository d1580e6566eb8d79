#!/usr/bin/env python3
"""Building blocks for testing /dev/sysgenid in a QEMU guest.

Everything a test needs to run code next to the real driver in a real guest:

* ``kernel_version()``, ``build_module()``, ``build_tests()``,
  ``build_helpers()``: find the installed Debian kernel under /lib/modules
  (never ``uname -r``) and build the module, the driver's test programs and
  this directory's guest helpers against it.
* ``build_image()``: a bootable guest (kernel, busybox initramfs, read-only
  ext4 data image with a jlinked JRE, test binaries, jars and extra files).
* ``run()``: boot an image, run one guest shell script, return its output
  and exit status.
* ``clone()``: boot, wait for a marker line printed by the guest script,
  save the running guest over QMP, restore the saved state N times, each
  with a fresh VM generation id, and collect every clone's output.

Guest layout (see README.md for the full contract):
  /data/bin     test binaries and helpers (on PATH)
  /data/jre     the jlinked JRE; $JAVA=/data/jre/bin/java, $JAVA_OPTS
  /data/jars    the caller's jars/classes directory (copied as is)
  /data/files   the caller's extra files
The guest script runs as root with /tmp on tmpfs as its working directory;
its stdout and stderr go to the host through the second serial port.

Only the standard library is used.  QEMU processes are started in their own
session, their pids are appended to $SGVM_PIDFILE when set, and every guest
still running is killed (by pid) when the Python process exits.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import hashlib
import json
import lzma
import os
import re
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Iterable, Optional, Sequence

VM_DIR = Path(__file__).resolve().parent
KMOD_DIR = VM_DIR.parent
BUILD_DIR = Path(os.environ.get("SGVM_BUILD_DIR", str(VM_DIR / "build")))
CACHE_DIR = BUILD_DIR / "cache"

JDK_HOME = Path(os.environ.get("SGVM_JDK", "/usr/lib/jvm/java-17-openjdk-amd64"))
# Modules of the guest JRE.  Override with SGVM_JRE_MODULES=a,b,c or the
# jre_modules argument; modules the JDK lacks are dropped with a note.
DEFAULT_JRE_MODULES = (
    "java.base,java.logging,java.management,jdk.unsupported,java.naming,"
    "jdk.crypto.ec,java.xml"
)
JRE_MODULES = tuple(
    m for m in os.environ.get("SGVM_JRE_MODULES", DEFAULT_JRE_MODULES).split(",") if m
)

GUEST_JAVA = "/data/jre/bin/java"
GUEST_JAVA_OPTS = "-XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xshare:auto"

# Kernel modules the guest needs before it can mount the data image, loaded
# with their modules.dep dependencies first (and soft deps named here).
GUEST_KMODS = ("virtio_pci", "virtio_blk", "crc32c_generic", "ext4")

QEMU = os.environ.get("SGVM_QEMU", "qemu-system-x86_64")
QEMU_MEM = os.environ.get("SGVM_MEM", "2G")
QEMU_SMP = os.environ.get("SGVM_SMP", "2")
KERNEL_CMDLINE = "console=ttyS0 quiet panic=-1 mitigations=off"

# Lines of the guest's dmesg that count as a kernel problem.
DMESG_BAD = (
    r"WARNING:|BUG:|Oops|general protection fault|kernel BUG|Call Trace:|"
    r"lockdep|possible circular locking|possible recursive locking|"
    r"inconsistent lock state|INFO: task .* blocked|UBSAN|KASAN|"
    r"refcount_t:|list_(add|del) corruption|sleeping function called from "
    r"invalid context|scheduling while atomic|rcu: INFO|detected stall"
)

MARK = "@@SG-"  # prefix of the lines the guest's /init adds to the output

# --------------------------------------------------------------------------
# small utilities

TIMINGS: dict[str, float] = {}
"""Seconds spent per stage, accumulated ("jre", "initramfs", "boot", ...)."""


class HarnessError(RuntimeError):
    """The harness could not do its job (build, boot, QMP, timeout)."""


@contextlib.contextmanager
def stage(name: str):
    t0 = time.monotonic()
    try:
        yield
    finally:
        TIMINGS[name] = TIMINGS.get(name, 0.0) + time.monotonic() - t0


def log(msg: str) -> None:
    if os.environ.get("SGVM_QUIET") != "1":
        print(f"# guestlib: {msg}", file=sys.stderr, flush=True)


def sh(cmd: Sequence[str], **kw) -> subprocess.CompletedProcess:
    """Run a command, raise HarnessError with its output on failure."""
    p = subprocess.run(list(map(str, cmd)), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, **kw)
    if p.returncode != 0:
        raise HarnessError(f"{' '.join(map(str, cmd))} failed ({p.returncode}):\n{p.stdout[-4000:]}")
    return p


def _hash_tree(h, root: Path) -> None:
    """Feed names, sizes and mtimes of a file or tree into a hash."""
    root = Path(root)
    if root.is_file():
        st = root.stat()
        h.update(f"{root}|{st.st_size}|{st.st_mtime_ns}\n".encode())
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in sorted(filenames):
            p = Path(dirpath, fn)
            st = p.lstat()
            h.update(f"{p.relative_to(root)}|{st.st_size}|{st.st_mtime_ns}\n".encode())


def _file_sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _version_key(v: str):
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", v)]


# --------------------------------------------------------------------------
# kernel, module, test programs

def kernel_version() -> str:
    """The installed Debian kernel to test against (newest, or $SGVM_KVER).

    Needs /lib/modules/<ver>/build (headers) and /boot/vmlinuz-<ver>.  The
    running kernel (uname -r) is never used: on these machines it has no
    module support.
    """
    want = os.environ.get("SGVM_KVER")
    cands = []
    mod_root = Path("/lib/modules")
    if mod_root.is_dir():
        for d in mod_root.iterdir():
            if (d / "modules.dep").exists() and (d / "build").exists() \
                    and Path(f"/boot/vmlinuz-{d.name}").exists():
                cands.append(d.name)
    if want:
        if want not in cands:
            raise HarnessError(f"SGVM_KVER={want} has no modules.dep, build/ and /boot/vmlinuz")
        return want
    if not cands:
        raise HarnessError("no Debian kernel with headers under /lib/modules (install linux-image-amd64 linux-headers-amd64)")
    return sorted(cands, key=_version_key)[-1]


def build_module(kver: str) -> Path:
    """make -C kernel-module KDIR=/lib/modules/<kver>/build -> sysgenid.ko"""
    with stage("module build"):
        sh(["make", "-C", KMOD_DIR, f"KDIR=/lib/modules/{kver}/build"])
    ko = KMOD_DIR / "sysgenid.ko"
    if not ko.exists():
        raise HarnessError(f"{ko} not built")
    return ko


def build_tests() -> list[Path]:
    """make -C kernel-module/tests -> the static test programs."""
    with stage("tests build"):
        sh(["make", "-C", KMOD_DIR / "tests"])
    out = [KMOD_DIR / "tests" / n for n in ("sysgenid_selftest", "sysgenid_stress")]
    for p in out:
        if not os.access(p, os.X_OK):
            raise HarnessError(f"{p} not built")
    return out


def build_helpers() -> list[Path]:
    """Static guest helpers from vm/guest/*.c into build/bin/."""
    out = []
    bindir = BUILD_DIR / "bin"
    bindir.mkdir(parents=True, exist_ok=True)
    with stage("helpers build"):
        for src in sorted((VM_DIR / "guest").glob("*.c")):
            dst = bindir / src.stem
            if not dst.exists() or dst.stat().st_mtime_ns < src.stat().st_mtime_ns:
                sh(["gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror",
                    "-o", dst, src])
            out.append(dst)
    return out


# --------------------------------------------------------------------------
# kernel image: the uncompressed vmlinux inside vmlinuz boots as PVH

def _has_pvh_note(elf: Path) -> bool:
    """True if the ELF has the Xen PHYS32_ENTRY note QEMU needs for PVH."""
    with open(elf, "rb") as f:
        hdr = f.read(64)
        if hdr[:4] != b"\x7fELF" or hdr[4] != 2:
            return False
        phoff, = struct.unpack_from("<Q", hdr, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", hdr, 0x36)
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            p_type, _, p_offset, _, _, p_filesz = struct.unpack("<IIQQQQ", f.read(40))
            if p_type != 4:  # PT_NOTE
                continue
            f.seek(p_offset)
            data = f.read(p_filesz)
            off = 0
            while off + 12 <= len(data):
                namesz, descsz, ntype = struct.unpack_from("<III", data, off)
                name = data[off + 12:off + 12 + namesz]
                if name.rstrip(b"\0") == b"Xen" and ntype == 18:
                    return True
                off += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
    return False


def kernel_image(kver: str) -> Path:
    """The kernel to boot: the cached vmlinux extracted from vmlinuz's xz
    payload when it carries a PVH note (boots ~3x faster), else vmlinuz."""
    vmlinuz = Path(f"/boot/vmlinuz-{kver}")
    if os.environ.get("SGVM_NO_PVH") == "1":
        return vmlinuz
    key = _file_sha(vmlinuz)[:16]
    out = CACHE_DIR / f"vmlinux-{kver}-{key}"
    bad = out.with_suffix(".nopvh")
    if out.exists():
        return out
    if bad.exists():
        return vmlinuz
    with stage("vmlinux extract"):
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        blob = vmlinuz.read_bytes()
        pos = blob.find(b"\xfd7zXZ\x00")
        elf = b""
        while pos >= 0 and not elf.startswith(b"\x7fELF"):
            try:
                elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(blob[pos:])
            except lzma.LZMAError:
                elf = b""
            pos = blob.find(b"\xfd7zXZ\x00", pos + 1)
        if not elf.startswith(b"\x7fELF"):
            log(f"no xz ELF payload in {vmlinuz}; booting it compressed")
            bad.touch()
            return vmlinuz
        tmp = out.with_suffix(".tmp")
        tmp.write_bytes(elf)
        if not _has_pvh_note(tmp):
            log(f"vmlinux of {kver} has no PVH note; booting vmlinuz")
            tmp.unlink()
            bad.touch()
            return vmlinuz
        tmp.rename(out)
    return out


# --------------------------------------------------------------------------
# JRE

def guest_java_opts() -> str:
    """GUEST_JAVA_OPTS, plus native access for core's java.lang.foreign calls on JDK 22+
    (without it the JVM warns on the first downcall)."""
    if int(jdk_feature()) >= 22:
        return GUEST_JAVA_OPTS + " --enable-native-access=ALL-UNNAMED"
    return GUEST_JAVA_OPTS


def jdk_feature() -> str:
    """The feature release of JDK_HOME (17, 25, ...), from its release file."""
    for line in (JDK_HOME / "release").read_text().splitlines():
        if line.startswith("JAVA_VERSION="):
            return line.split("=", 1)[1].strip('"').split(".")[0]
    return "0"


def jre_modules(requested: Optional[Iterable[str]] = None) -> list[str]:
    mods = list(requested or JRE_MODULES)
    have = {p.name[:-5] for p in (JDK_HOME / "jmods").glob("*.jmod")}
    if not have and int(jdk_feature()) >= 24 and (JDK_HOME / "lib" / "modules").exists():
        # JDK 24+ built to link from its run-time image (JEP 493) has no jmods
        out = subprocess.run([str(JDK_HOME / "bin" / "java"), "--list-modules"],
                             stdout=subprocess.PIPE, text=True).stdout
        have = {line.split("@")[0] for line in out.split()}
    if not have:
        raise HarnessError(f"{JDK_HOME}/jmods is empty: install openjdk-17-jdk-headless (and openjdk-17-jmods)")
    keep = [m for m in mods if m in have]
    for m in mods:
        if m not in have:
            log(f"JDK has no module {m}; left out of the guest JRE")
    return keep


def build_jre(modules: Optional[Iterable[str]] = None) -> Path:
    """jlink a JRE with the given modules (cached on JDK + module list),
    with a CDS archive dumped so -Xshare:auto maps it in the guest."""
    mods = jre_modules(modules)
    h = hashlib.sha256()
    h.update((JDK_HOME / "release").read_bytes())
    _hash_tree(h, JDK_HOME / "bin" / "jlink")
    h.update(",".join(mods).encode())
    out = CACHE_DIR / f"jre-{h.hexdigest()[:16]}"
    if (out / ".done").exists():
        return out
    with stage("jre jlink"):
        if out.exists():
            shutil.rmtree(out)
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        sh([JDK_HOME / "bin" / "jlink", "--add-modules", ",".join(mods),
            "--strip-debug", "--no-header-files", "--no-man-pages",
            "--output", out])
        # The default CDS archive (lib/server/classes.jsa) is not in jmods.
        sh([out / "bin" / "java", "-Xshare:dump"])
        (out / ".done").write_text(",".join(mods) + "\n")
    return out


def _ldd_libs(files: Iterable[Path], inside: Path) -> set[Path]:
    """Shared libraries (and the loader) the ELF files need, outside `inside`."""
    libs: set[Path] = set()
    for f in files:
        p = subprocess.run(["ldd", str(f)], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
        for line in p.stdout.splitlines():
            m = re.search(r"(?:=>\s*)?(/\S+)\s+\(0x", line)
            if m:
                lib = Path(m.group(1))
                if inside not in lib.resolve().parents:
                    libs.add(lib)
    return libs


# --------------------------------------------------------------------------
# guest image

@dataclasses.dataclass
class Image:
    """A bootable guest: kernel + base initramfs + read-only data image."""
    kver: str
    kernel: Path
    initrd: Path
    data: Path
    dir: Path


INIT_SCRIPT = r"""#!/bin/busybox sh
# /init of the sysgenid test guest (generated by kernel-module/vm/guestlib.py)
/bin/busybox --install -s /bin
export PATH=/data/bin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp /data /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs tmpfs /dev/shm
OUT=/dev/ttyS1
stty -F $OUT -onlcr 2>/dev/null
say() { echo "@@SG-$*@@" > $OUT; echo "@@SG-$*@@" > /dev/console; }
while read -r ko; do
    insmod "/kmod/$ko" || say "KMOD-FAILED $ko"
done < /kmod/order
[ -f /guest/env ] && . /guest/env
if [ "${SG_LOAD_MODULE:-1}" = 1 ] && [ -f /sysgenid.ko ]; then
    if insmod /sysgenid.ko $SG_MODULE_ARGS; then say "MODULE loaded"; else say "MODULE failed"; fi
else
    say "MODULE not-loaded"
fi
n=0
while [ ! -b /dev/vda ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
if mount -t ext4 -o ro,noload /dev/vda /data; then say "DATA mounted"; else say "DATA failed"; fi
say "BOOTED"
cd /tmp
if [ -f /guest/script.sh ]; then
    sh /guest/script.sh > $OUT 2>&1 < /dev/null
    rc=$?
else
    rc=127
fi
dmesg > /tmp/.dmesg
grep -E "$SG_DMESG_BAD" /tmp/.dmesg | while read -r l; do say "DMESG $l"; done
say "EXIT $rc"
echo "----- full dmesg -----" > /dev/console
cat /tmp/.dmesg > /dev/console
sync
poweroff -f
"""


def _modules_order(kver: str, names: Iterable[str]) -> list[str]:
    """Module files (relative to /lib/modules/<kver>) in load order."""
    root = Path("/lib/modules") / kver
    deps: dict[str, list[str]] = {}
    byname: dict[str, str] = {}
    for line in (root / "modules.dep").read_text().splitlines():
        mod, _, rest = line.partition(":")
        deps[mod] = rest.split()
        base = Path(mod).name.split(".ko")[0]
        byname[base.replace("-", "_")] = mod
    order: list[str] = []

    def visit(mod: str) -> None:
        if mod in order:
            return
        # modules.dep lists deps so that loading them in reverse works
        for d in reversed(deps.get(mod, [])):
            visit(d)
        order.append(mod)

    for n in names:
        mod = byname.get(n.replace("-", "_"))
        if mod is None:
            # built in (e.g. another kernel config): nothing to load
            if f"/{n}.ko" not in (root / "modules.builtin").read_text():
                log(f"kernel module {n} neither a module nor built in")
            continue
        visit(mod)
    return order


def build_initramfs(kver: str, out: Path, module_ko: Optional[Path]) -> Path:
    """Base initramfs: busybox, /init, kernel modules, sysgenid.ko, and the
    symlinks that make the data image's loader and libraries visible."""
    with stage("initramfs"):
        busybox = shutil.which("busybox") or "/bin/busybox"
        with tempfile.TemporaryDirectory(prefix="sgvm-initrd-") as td:
            root = Path(td)
            for d in ("bin", "dev", "proc", "sys", "tmp", "data", "etc",
                      "kmod", "guest", "lib", "usr/lib"):
                (root / d).mkdir(parents=True, exist_ok=True)
            shutil.copy2(busybox, root / "bin" / "busybox")
            (root / "init").write_text(INIT_SCRIPT)
            (root / "init").chmod(0o755)
            (root / "etc/passwd").write_text("root:x:0:0:root:/tmp:/bin/sh\n")
            (root / "etc/group").write_text("root:x:0:\n")
            # the JRE's dynamic loader and libraries live on the data image
            (root / "lib64").symlink_to("/data/lib64")
            (root / "lib/x86_64-linux-gnu").symlink_to("/data/lib/x86_64-linux-gnu")
            (root / "usr/lib/x86_64-linux-gnu").symlink_to("/data/lib/x86_64-linux-gnu")
            order = []
            for rel in _modules_order(kver, GUEST_KMODS):
                src = Path("/lib/modules") / kver / rel
                name = src.name
                if name.endswith(".ko.xz") or name.endswith(".ko.zst"):
                    name = name.rsplit(".", 1)[0]
                    tool = "xz" if src.suffix == ".xz" else "zstd"
                    data = subprocess.run([tool, "-dc", str(src)], check=True,
                                          stdout=subprocess.PIPE).stdout
                    (root / "kmod" / name).write_bytes(data)
                else:
                    shutil.copy2(src, root / "kmod" / name)
                order.append(name)
            (root / "kmod/order").write_text("".join(o + "\n" for o in order))
            if module_ko:
                shutil.copy2(module_ko, root / "sysgenid.ko")
            _cpio(root, out)
    return out


def _cpio(root: Path, out: Path) -> None:
    tmp = out.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        find = subprocess.Popen(["find", ".", "-mindepth", "1"], cwd=root,
                                stdout=subprocess.PIPE)
        cpio = subprocess.Popen(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0"],
                                cwd=root, stdin=find.stdout, stdout=subprocess.PIPE)
        gz = subprocess.Popen(["gzip", "-1"], stdin=cpio.stdout, stdout=f)
        find.stdout.close()
        cpio.stdout.close()
        if gz.wait() or cpio.wait() or find.wait():
            raise HarnessError(f"packing {out} failed")
    tmp.rename(out)


def _add_files(stage_dir: Path, files: Iterable) -> None:
    """files: paths or (src, dest-relative-to-stage) pairs."""
    for item in files:
        if isinstance(item, (tuple, list)):
            src, dest = Path(item[0]), stage_dir / item[1]
        else:
            src = Path(item)
            dest = stage_dir / src.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dest, symlinks=True, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dest)


def build_data_image(out: Path, bins: Iterable[Path] = (), jars: Optional[Path] = None,
                     files: Iterable = (), jre: Optional[Path] = None) -> Path:
    """Read-only ext4 image: /bin, /jre, /lib64 + /lib/x86_64-linux-gnu
    (the JRE's loader and libraries), /jars, /files.  Rebuilt only when an
    input's name, size or mtime changed."""
    bins, files = list(bins), list(files)
    h = hashlib.sha256(b"data-image-v1\n")
    for b in bins:
        _hash_tree(h, Path(b))
    if jars:
        h.update(b"jars\n")
        _hash_tree(h, Path(jars))
    for item in files:
        src = item[0] if isinstance(item, (tuple, list)) else item
        h.update(f"file {item}\n".encode())
        _hash_tree(h, Path(src))
    h.update(f"jre {jre}\n".encode())
    key = h.hexdigest()
    keyfile = out.with_suffix(".key")
    if out.exists() and keyfile.exists() and keyfile.read_text() == key:
        return out
    with stage("data image"):
        st = out.parent / "data-stage"
        if st.exists():
            shutil.rmtree(st)
        (st / "bin").mkdir(parents=True)
        for b in bins:
            shutil.copy2(b, st / "bin" / Path(b).name)
        if jre:
            sh(["cp", "-al", jre, st / "jre"])
            elfs = [jre / "bin" / "java"] + sorted(jre.glob("lib/**/*.so"))
            for lib in _ldd_libs(elfs, jre):
                if lib.name.startswith("ld-linux"):
                    dest = st / "lib64" / lib.name
                else:
                    dest = st / "lib/x86_64-linux-gnu" / lib.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(lib.resolve(), dest)
        (st / "jars").mkdir()
        if jars:
            shutil.copytree(jars, st / "jars", symlinks=True, dirs_exist_ok=True)
        (st / "files").mkdir()
        _add_files(st / "files", files)
        size = sum(p.stat().st_size for p in st.rglob("*") if p.is_file() and not p.is_symlink())
        mib = int(size * 1.25 / (1 << 20)) + 32
        tmp = out.with_suffix(".tmp")
        if tmp.exists():
            tmp.unlink()
        sh(["mkfs.ext4", "-q", "-F", "-L", "sgdata", "-m", "0", "-E", "root_owner=0:0",
            "-d", st, tmp, f"{mib}M"])
        tmp.rename(out)
        keyfile.write_text(key)
        shutil.rmtree(st)
    return out


def build_image(name: str = "default", jars: Optional[Path] = None, files: Iterable = (),
                bins: Iterable[Path] = (), module: bool = True, with_jre: bool = True,
                jre_modules_list: Optional[Iterable[str]] = None,
                with_tests: bool = True) -> Image:
    """Build (or reuse) the guest image build/images/<name>/.

    jars:   a directory copied as is to /data/jars (jars and/or class dirs)
    files:  paths (-> /data/files/<basename>) or (src, "rel/dest") pairs
    bins:   extra executables for /data/bin (static, or linked against the
            libraries the JRE brought along)
    module: build kernel-module/sysgenid.ko and load it at boot
    with_tests: put the driver's sysgenid_selftest/sysgenid_stress in /data/bin
    """
    kver = kernel_version()
    d = BUILD_DIR / "images" / name
    d.mkdir(parents=True, exist_ok=True)
    ko = build_module(kver) if module else None
    allbins = list(build_helpers())
    if with_tests:
        allbins += build_tests()
    allbins += [Path(b) for b in bins]
    jre = build_jre(jre_modules_list) if with_jre else None
    kernel = kernel_image(kver)
    initrd = build_initramfs(kver, d / "base.cpio.gz", ko)
    data = build_data_image(d / "data.img", allbins, jars, files, jre)
    return Image(kver=kver, kernel=kernel, initrd=initrd, data=data, dir=d)


# --------------------------------------------------------------------------
# QMP

class Qmp:
    """Minimal QMP client over a unix socket (line-delimited JSON)."""

    def __init__(self, path: Path, timeout: float = 30.0, alive=lambda: True):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(str(path))
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline or not alive():
                    raise HarnessError(f"cannot connect to QMP at {path}")
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        self.rfile = self.sock.makefile("r", encoding="utf-8")
        self.events: list[dict] = []
        greeting = self._recv()
        if "QMP" not in greeting:
            raise HarnessError(f"unexpected QMP greeting {greeting}")
        self.cmd("qmp_capabilities")

    def _recv(self) -> dict:
        line = self.rfile.readline()
        if not line:
            raise HarnessError("QMP connection closed")
        return json.loads(line)

    def cmd(self, name: str, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall((json.dumps(msg) + "\n").encode())
        while True:
            r = self._recv()
            if "event" in r:
                self.events.append(r)
                continue
            if "error" in r:
                raise HarnessError(f"QMP {name}: {r['error']}")
            return r.get("return")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.rfile.close()
            self.sock.close()


# --------------------------------------------------------------------------
# guests

_LIVE: dict[int, "Guest"] = {}


def _cleanup() -> None:
    for g in list(_LIVE.values()):
        g.kill()


atexit.register(_cleanup)


def _on_signal(signum, _frame):
    raise SystemExit(128 + signum)


for _s in (signal.SIGTERM, signal.SIGHUP):
    with contextlib.suppress(ValueError):
        signal.signal(_s, _on_signal)


@dataclasses.dataclass
class GuestResult:
    """What one guest (a plain run, the origin of a snapshot, or a clone) did.

    output:  the guest script's stdout+stderr (without /init's @@SG- lines)
    raw:     everything on the output port, /init's lines included
    status:  the script's exit status, None if it never finished
    console: the kernel console log (ttyS0), ends with the full dmesg
    dmesg_bad: dmesg lines matching DMESG_BAD
    """
    name: str
    guid: str
    output: str
    raw: str
    status: Optional[int]
    console: str
    dmesg_bad: list[str]
    module: Optional[str]
    seconds: float
    run_dir: Path

    def to_json(self) -> dict:
        d = dataclasses.asdict(self)
        d["run_dir"] = str(self.run_dir)
        del d["console"], d["raw"]
        return d


class Guest:
    """One QEMU process running an Image (fresh boot or incoming restore)."""

    def __init__(self, image: Image, run_dir: Path, initrd: Path, name: str = "guest",
                 guid: Optional[str] = None, incoming: Optional[Path] = None):
        self.image, self.initrd, self.name = image, initrd, name
        self.guid = guid or str(uuid.uuid4())
        self.incoming = incoming
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.out_log = self.run_dir / f"{name}.out"
        self.console_log = self.run_dir / f"{name}.console"
        self.tmp = Path(tempfile.mkdtemp(prefix="sgvm-"))
        self.qmp_path = self.tmp / "qmp.sock"
        self.proc: Optional[subprocess.Popen] = None
        self.qmp: Optional[Qmp] = None
        self.t_start = 0.0

    def command(self) -> list[str]:
        cmd = [QEMU, "-accel", "tcg,thread=multi", "-cpu", os.environ.get("SGVM_CPU", "max"),
               "-m", QEMU_MEM, "-smp", QEMU_SMP,
               "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
               "-kernel", str(self.image.kernel), "-initrd", str(self.initrd),
               "-append", " ".join(filter(None, [KERNEL_CMDLINE, os.environ.get("SGVM_KERNEL_APPEND", "")])),
               "-drive", f"file={self.image.data},format=raw,if=virtio,readonly=on",
               "-device", f"vmgenid,id=vmgen0,guid={self.guid}",
               "-serial", f"file:{self.console_log}",
               "-serial", f"file:{self.out_log}",
               "-qmp", f"unix:{self.qmp_path},server=on,wait=off"]
        if self.incoming:
            cmd += ["-incoming", f"exec:cat {shlex.quote(str(self.incoming))}"]
        return cmd

    def start(self) -> "Guest":
        for p in (self.out_log, self.console_log):
            if p.exists():
                p.unlink()
        cmd = self.command()
        (self.run_dir / f"{self.name}.cmdline").write_text(shlex.join(cmd) + "\n")
        self.t_start = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=open(self.run_dir / f"{self.name}.qemu", "w"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        _LIVE[self.proc.pid] = self
        pidfile = os.environ.get("SGVM_PIDFILE")
        if pidfile:
            with open(pidfile, "a") as f:
                f.write(f"{self.proc.pid}\n")
        self.qmp = Qmp(self.qmp_path, alive=self.alive)
        if os.environ.get("SGVM_PIN_VCPUS") == "1":
            self.pin_vcpus()
        return self

    def pin_vcpus(self) -> None:
        """Pin vCPU thread k to host CPU k (mod the host's CPUs), as for any latency
        benchmark of a VM: a woken vCPU then never queues behind, or preempts, the
        other vCPU on one host core (QEMU's main loop thread stays unpinned)."""
        host = sorted(os.sched_getaffinity(0))
        for c in self.qmp.cmd("query-cpus-fast"):
            os.sched_setaffinity(c["thread-id"], {host[c["cpu-index"] % len(host)]})

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def raw_output(self) -> str:
        try:
            return self.out_log.read_text(errors="replace").replace("\r", "")
        except FileNotFoundError:
            return ""

    def console(self) -> str:
        try:
            return self.console_log.read_text(errors="replace").replace("\r", "")
        except FileNotFoundError:
            return ""

    def _qemu_said(self) -> str:
        with contextlib.suppress(OSError):
            return (self.run_dir / f"{self.name}.qemu").read_text()[-2000:]
        return ""

    def wait_for(self, pattern: str, timeout: float) -> re.Match:
        """Wait until the output port shows a line matching the regex."""
        rx = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.raw_output())
            if m:
                return m
            if not self.alive():
                raise HarnessError(f"{self.name}: QEMU exited before /{pattern}/; qemu said: "
                                   f"{self._qemu_said()}\nconsole tail:\n{self.console()[-3000:]}")
            if time.monotonic() > deadline:
                raise HarnessError(f"{self.name}: no /{pattern}/ within {timeout:.0f} s; "
                                   f"console tail:\n{self.console()[-3000:]}")
            time.sleep(0.05)

    def wait_exit(self, timeout: float) -> GuestResult:
        """Wait for the script's end (@@SG-EXIT n@@) and QEMU's exit."""
        try:
            self.wait_for(r"^@@SG-EXIT \d+@@$", timeout)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(10)
        except HarnessError as e:
            log(str(e))
        finally:
            self.kill()
        return self.result()

    def result(self) -> GuestResult:
        raw = self.raw_output()
        m = re.search(r"^@@SG-EXIT (\d+)@@$", raw, re.M)
        mod = re.search(r"^@@SG-MODULE (\S+)@@$", raw, re.M)
        bad = re.findall(r"^@@SG-DMESG (.*)@@$", raw, re.M)
        out = "".join(l + "\n" for l in raw.splitlines() if not l.startswith(MARK))
        return GuestResult(name=self.name, guid=self.guid, output=out, raw=raw,
                           status=int(m.group(1)) if m else None, console=self.console(),
                           dmesg_bad=bad, module=mod.group(1) if mod else None,
                           seconds=round(time.monotonic() - self.t_start, 2),
                           run_dir=self.run_dir)

    def save(self, state: Path, timeout: float = 120.0) -> None:
        """Snapshot: stop, migrate to `exec:cat > state`, wait, quit."""
        q = self.qmp
        q.cmd("stop")
        q.cmd("migrate-set-parameters", **{"max-bandwidth": 1 << 40})
        q.cmd("migrate", uri=f"exec:cat > {shlex.quote(str(state))}")
        deadline = time.monotonic() + timeout
        while True:
            st = q.cmd("query-migrate").get("status")
            if st == "completed":
                break
            if st in ("failed", "cancelled") or time.monotonic() > deadline:
                raise HarnessError(f"{self.name}: migration {st}: {q.cmd('query-migrate')}")
            time.sleep(0.05)
        with contextlib.suppress(HarnessError, OSError):
            q.cmd("quit")
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)
        self.kill()

    def resume(self, timeout: float = 120.0) -> None:
        """After an incoming restore: wait for it to complete, then cont."""
        q = self.qmp
        deadline = time.monotonic() + timeout
        while True:
            st = q.cmd("query-status").get("status")
            if st != "inmigrate":
                break
            if time.monotonic() > deadline or not self.alive():
                raise HarnessError(f"{self.name}: incoming migration did not finish: {self._qemu_said()}")
            time.sleep(0.05)
        mig = q.cmd("query-migrate").get("status")
        if mig not in (None, "completed"):
            raise HarnessError(f"{self.name}: incoming migration status {mig}, vm {st}")
        q.cmd("cont")

    def kill(self) -> None:
        """Kill this QEMU (by pid) if it still runs; remove its temp dir."""
        if self.qmp:
            self.qmp.close()
            self.qmp = None
        if self.proc is not None:
            if self.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(self.proc.pid, signal.SIGKILL)
                    self.proc.wait()
            _LIVE.pop(self.proc.pid, None)
        shutil.rmtree(self.tmp, ignore_errors=True)


def script_initrd(image: Image, script: str, run_dir: Path,
                  env: Optional[dict] = None, load_module: bool = True) -> Path:
    """The image's base initramfs with /guest/script.sh and /guest/env
    appended as a second cpio archive (the kernel unpacks both)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    lines = [f"export JAVA={GUEST_JAVA}",
             f"export JAVA_OPTS={shlex.quote(guest_java_opts())}",
             "export SG_DATA=/data SG_BIN=/data/bin SG_JARS=/data/jars SG_FILES=/data/files",
             f"export SG_DMESG_BAD={shlex.quote(DMESG_BAD)}",
             f"export SG_LOAD_MODULE={1 if load_module else 0}"]
    for k, v in (env or {}).items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k):
            raise HarnessError(f"bad environment variable name {k!r}")
        lines.append(f"export {k}={shlex.quote(str(v))}")
    with tempfile.TemporaryDirectory(prefix="sgvm-script-") as td:
        root = Path(td)
        (root / "guest").mkdir()
        (root / "guest/script.sh").write_text(script)
        (root / "guest/env").write_text("\n".join(lines) + "\n")
        extra = run_dir / "script.cpio.gz"
        _cpio(root, extra)
    out = run_dir / "initrd.cpio.gz"
    with open(out, "wb") as f:
        for part in (image.initrd, extra):
            with open(part, "rb") as p:
                shutil.copyfileobj(p, f)
    extra.unlink()
    return out


_RUN_FILES = re.compile(r"^(run|origin|clone-\d+)\.(out|console|cmdline|qemu)$|"
                        r"^(initrd\.cpio\.gz|script\.cpio\.gz|state\.mig)$")


def _run_dir(run_dir: Optional[Path], name: str) -> Path:
    """Create the log directory; remove only the files an earlier run of
    ours left there (a caller's --out may hold other things)."""
    d = Path(run_dir) if run_dir else BUILD_DIR / "runs" / name
    d.mkdir(parents=True, exist_ok=True)
    for p in d.iterdir():
        if p.is_file() and _RUN_FILES.match(p.name):
            p.unlink()
    return d


def run(image: Image, script: str, timeout: float = 300.0, env: Optional[dict] = None,
        run_dir: Optional[Path] = None, load_module: bool = True,
        name: str = "run") -> GuestResult:
    """Boot the image, run `script` (sh) in the guest, return its result."""
    d = _run_dir(run_dir, name)
    initrd = script_initrd(image, script, d, env, load_module)
    g = Guest(image, d, initrd, name=name)
    with stage("boot+run"):
        g.start()
        try:
            with stage("boot"):
                g.wait_for(r"^@@SG-BOOTED@@$", 120)
        except HarnessError:
            g.kill()
            raise
        res = g.wait_exit(timeout)
    return res


@dataclasses.dataclass
class CloneResult:
    origin: GuestResult   # output up to the snapshot (status is None)
    clones: list          # GuestResult per restore, in order
    state_bytes: int
    save_seconds: float
    restore_seconds: list

    def to_json(self) -> dict:
        return {"origin": self.origin.to_json(),
                "clones": [c.to_json() for c in self.clones],
                "state_bytes": self.state_bytes, "save_seconds": self.save_seconds,
                "restore_seconds": self.restore_seconds}


def clone(image: Image, script: str, marker: str, clones: int = 2,
          timeout: float = 300.0, env: Optional[dict] = None,
          run_dir: Optional[Path] = None, load_module: bool = True,
          guids: Optional[Sequence[str]] = None, keep_state: bool = False,
          name: str = "clone") -> CloneResult:
    """Boot, wait for a line equal to `marker`, save the guest, restore it
    `clones` times (each with a fresh vmgenid guid unless `guids` gives
    one; the word "origin" there means the origin's own guid: no change),
    let each clone run to the end of the script and collect its output.

    The guest must not change anything it cares about between printing the
    marker and the save (which follows within about a second): print the
    marker, then block (e.g. `sgwatch` blocks in read() on /dev/sysgenid
    until the restore bumps the generation).
    """
    d = _run_dir(run_dir, name)
    initrd = script_initrd(image, script, d, env, load_module)
    state = d / "state.mig"
    origin = Guest(image, d, initrd, name="origin")
    with stage("boot"):
        origin.start()
        try:
            origin.wait_for(r"^@@SG-BOOTED@@$", 120)
        except HarnessError:
            origin.kill()
            raise
    try:
        origin.wait_for("^" + re.escape(marker) + "$", timeout)
        t0 = time.monotonic()
        with stage("save"):
            origin.save(state)
        save_s = round(time.monotonic() - t0, 2)
    finally:
        origin.kill()
    ores = origin.result()
    results, restore_s = [], []
    try:
        for i in range(clones):
            guid = guids[i] if guids and i < len(guids) else str(uuid.uuid4())
            if guid == "origin":
                guid = origin.guid
            g = Guest(image, d, initrd, name=f"clone-{i + 1}", guid=guid, incoming=state)
            t0 = time.monotonic()
            with stage("restore"):
                g.start()
                try:
                    g.resume()
                except HarnessError:
                    g.kill()
                    raise
            restore_s.append(round(time.monotonic() - t0, 2))
            results.append(g.wait_exit(timeout))
        size = state.stat().st_size
    finally:
        if not keep_state and state.exists():
            state.unlink()
    return CloneResult(origin=ores, clones=results, state_bytes=size,
                       save_seconds=save_s, restore_seconds=restore_s)
