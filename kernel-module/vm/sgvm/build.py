"""Everything built on the host, once and cached by content: the kernel to boot, sysgenid.ko,
the C tests and guest helpers (-Werror), the jars, a jlinked JRE, and the guest image."""
from __future__ import annotations

import dataclasses
import hashlib
import lzma
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterable, Optional

from .config import BUILD, CACHE, GUEST, KMOD, MATRIX_FLAVOURS, MATRIX_SERIES, REPO, JRE_MODULES, Jdk, env


class HarnessError(RuntimeError):
    """The harness could not do its job (build, boot, QMP, timeout): a failed check, not a skip."""


def log(msg: str) -> None:
    if env("QUIET") != "1":
        print(f"# sgvm: {msg}", file=sys.stderr, flush=True)


def sh(cmd, log_file: Optional[Path] = None, **kw) -> str:
    """Run a command; its output goes to log_file (appended) or is returned; HarnessError on failure."""
    cmd = [str(c) for c in cmd]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                       text=True, **kw)
    if log_file:
        with open(log_file, "a") as f:
            f.write("$ " + " ".join(cmd) + "\n" + p.stdout)
    if p.returncode:
        raise HarnessError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout[-4000:]}")
    return p.stdout


def digest(*parts) -> str:
    """A content hash of strings and files/trees (names and bytes, not mtimes)."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path) and part.exists():
            for f in sorted([part] if part.is_file() else (p for p in part.rglob("*") if p.is_file())):
                h.update(f"{f.relative_to(part) if f != part else f.name}\n".encode())
                h.update(f.read_bytes())
        else:
            h.update(f"{part}\n".encode())
    return h.hexdigest()[:16]


# ---- the host's packages ----------------------------------------------------------------------

PACKAGES = ("qemu-system-x86 linux-image-amd64 linux-headers-amd64 busybox-static cpio kmod e2fsprogs "
            "xz-utils gzip gcc gcc-multilib make libc6-dev maven").split()
TOOLS = "qemu-system-x86_64 busybox cpio gzip mkfs.ext4 xz gcc make ldd modinfo mvn".split()


# the debian suite: the package's build and lintian, the root file system, the qcow2 overlays
DEBIAN_PACKAGES = "dpkg-dev debhelper dh-dkms lintian mmdebstrap qemu-utils".split()
DEBIAN_TOOLS = "dpkg-buildpackage dh_dkms lintian mmdebstrap qemu-img".split()


def install_deps(jdk: Jdk, specs: Iterable[str] = (), suite: str = "") -> list:
    """apt-get install (as root, --no-install-recommends, waiting for another apt's lock) what is
    missing of PACKAGES, a JDK 17 when the chosen JDK cannot jlink, and what the kernel specs need
    (`debug`: the kernel source and its build tools; `matrix`: the matrix kernels' images and
    headers, and dkms; the debian suite: DEBIAN_PACKAGES); apt-get update only then. Returns what is still missing afterwards
    (empty: all there)."""
    def linkable() -> bool:
        return (jdk.home / "bin/jlink").exists() and ((jdk.home / "jmods/java.base.jmod").exists() or
                                                      jdk.feature >= 24 and (jdk.home / "lib/modules").exists())
    specs = list(specs)
    apt = ["apt-get", "-o", "DPkg::Lock::Timeout=900"]
    aptenv = dict(os.environ, DEBIAN_FRONTEND="noninteractive")

    def wanted() -> tuple[list, list]:
        """(the matrix's releases, the packages wanted); HarnessError when apt's lists lack a kernel."""
        matrix = matrix_releases() if "matrix" in specs else []
        return matrix, PACKAGES + ([] if linkable() else ["openjdk-17-jdk-headless"]) + \
            (DEBUG_PACKAGES if "debug" in specs else []) + (DEBIAN_PACKAGES if suite == "debian" else []) + \
            ([f"linux-{p}-{r}" for r in matrix for p in ("image", "headers")] + ["dkms"] if matrix else [])

    def absent(pkgs: list) -> list:
        return [p for p in pkgs if "ok installed" not in subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", p], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True).stdout]
    try:
        matrix, want = wanted()
        missing = absent(want)
    except HarnessError:                # apt's lists lack a matrix kernel: fetch them, then decide
        matrix, want, missing = None, [], ["(apt's lists)"]
    if missing and os.geteuid() == 0:
        subprocess.run(apt + ["update", "-qq"], env=aptenv, stdout=sys.stderr)
        try:        # again on the fresh lists: the matrix's newest kernels may have moved on
            matrix, want = wanted()
        except HarnessError as e:
            return [str(e)]
        if missing := absent(want):
            log(f"installing {' '.join(missing)}")
            subprocess.run(apt + ["install", "-y", "-q", "--no-install-recommends", *missing], env=aptenv,
                           stdout=sys.stderr)
    if matrix is None:
        return ["the kernel matrix: apt's lists have no kernel packages (apt-get update as root)"]
    still = [t for t in TOOLS + (DEBIAN_TOOLS if suite == "debian" else []) + (["dkms"] if matrix else [])
             if not shutil.which(t)] + \
        ([] if linkable() else [f"jlink and jmods in {jdk.home}"]) + \
        [f"kernel {r} (linux-image-{r}, linux-headers-{r})" for r in matrix if r not in installed_kernels()]
    if "gcc" not in still and subprocess.run(["gcc", "-static", "-x", "c", "-o", "/dev/null", "-"], text=True,
                                             input="int main(void){return 0;}", stderr=subprocess.DEVNULL).returncode:
        still.append("libc6-dev (gcc cannot link static binaries)")
    if "gcc" not in still and subprocess.run(["gcc", "-m32", "-static", "-x", "c", "-o", "/dev/null", "-"], text=True,
                                             input="int main(void){return 0;}", stderr=subprocess.DEVNULL).returncode:
        still.append("gcc-multilib (gcc -m32 cannot link static binaries: the 32-bit ABI test)")
    return still


# ---- the kernel ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Kernel:
    """A kernel to boot and build against: an installed Debian kernel (a version under
    /lib/modules with build/ and /boot/vmlinuz-VER) or a kernel tree built by hand (a debug
    kernel: its directory; its drivers built in, bzImage or vmlinux)."""
    name: str
    kdir: Path
    boot: Path                      # the compressed image or the tree's bzImage/vmlinux
    modules: Optional[Path]         # /lib/modules/VER, None for a tree with everything built in


# The debug kernel: Debian's linux-source-6.12 with the kernel's own bug detectors (KASAN,
# lockdep, sleep-in-atomic, kmemleak, ...), configured by a fragment kept in the repository.
DEBUG_SOURCE = "linux-source-6.12"
DEBUG_FRAGMENT = KMOD / "vm/kernels/debug.config"
DEBUG_PACKAGES = [DEBUG_SOURCE, "bc", "bison", "flex", "libelf-dev", "libssl-dev", "dwarves"]


def debug_kernel_dir() -> Path:
    """SGVM_KERNEL_CACHE/debug-<source version>-<fragment hash>: one tree per input, so a second
    run (or a tree built by hand from the same inputs, linked there) costs nothing."""
    ver = subprocess.run(["dpkg-query", "-W", "-f=${Version}", DEBUG_SOURCE], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True).stdout.strip()
    if not ver:
        raise HarnessError(f"the debug kernel needs {DEBUG_SOURCE} (apt-get install {' '.join(DEBUG_PACKAGES)})")
    root = Path(env("KERNEL_CACHE", "/var/cache/sgvm/kernels"))
    return root / f"debug-{ver}-{digest(DEBUG_FRAGMENT)}"


def build_debug_kernel(log_file: Path) -> Path:
    """The debug kernel tree, built once: the source package's tarball unpacked, x86_64
    defconfig + kvm_guest.config + the fragment (merge_config.sh, olddefconfig), then
    `nice make -j$(nproc) bzImage modules` (about 20 CPU minutes on 2 cores). The tree is built
    in a temporary directory and renamed into place, so an interrupted build is never reused."""
    out = debug_kernel_dir()
    if (out / ".sgvm-built").exists():
        return out
    tarball = Path("/usr/src") / f"{DEBUG_SOURCE}.tar.xz"
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    log(f"building the debug kernel in {tmp} (tens of minutes; log {log_file})")
    sh(["tar", "-xaf", tarball, "-C", tmp, "--strip-components=1"], log_file)
    jobs = f"-j{os.cpu_count() or 1}"
    sh(["make", "-C", tmp, "defconfig", "kvm_guest.config"], log_file)
    sh([tmp / "scripts/kconfig/merge_config.sh", "-m", "-O", tmp, tmp / ".config", DEBUG_FRAGMENT], log_file,
       cwd=tmp)
    sh(["make", "-C", tmp, "olddefconfig"], log_file)
    sh(["nice", "make", "-C", tmp, jobs, "bzImage", "modules"], log_file)
    (tmp / ".sgvm-built").write_text(f"{tarball} + defconfig kvm_guest.config {DEBUG_FRAGMENT.name}\n")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


def is_debug(k: "Kernel") -> bool:
    """A kernel whose config has the sleep-in-atomic detector: its splats are the test."""
    return kconfig(k, "CONFIG_DEBUG_ATOMIC_SLEEP")


def slowdown(k: "Kernel") -> int:
    """How much longer guest work takes on k: KASAN and lockdep under TCG make a debug kernel
    about ten times slower (java -version 16 s against 1.7 s); guest timeouts are scaled by it."""
    return 4 if is_debug(k) else 1


def natural(v: str) -> list:
    """A sort key that orders kernel releases as numbers (6.1.0-9 before 6.1.0-57)."""
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", v)]


def installed_kernels() -> list[str]:
    """Installed Debian kernels a guest can boot and a module can build against: a release under
    /lib/modules with build/ (the headers) and modules.dep, and /boot/vmlinuz-<release>."""
    return sorted((d.name for d in Path("/lib/modules").glob("*") if (d / "build").exists()
                   and (d / "modules.dep").exists() and Path(f"/boot/vmlinuz-{d.name}").exists()), key=natural)


def matrix_releases() -> list[str]:
    """The kernel matrix: for each series of config.MATRIX_SERIES and flavour of MATRIX_FLAVOURS,
    the newest kernel release whose image and headers apt's lists offer (6.1.0-57-amd64,
    6.12.57+deb12-rt-amd64, ...). HarnessError naming what the lists lack."""
    listed = {line.split(" - ")[0] for line in sh(["apt-cache", "search", "--names-only",
                                                   r"^linux-(image|headers)-[0-9]"]).splitlines()}
    out, lacking = [], []
    for series in MATRIX_SERIES:
        for flavour in MATRIX_FLAVOURS:
            # 6.1.0-57-amd64, 6.12.57+deb12-amd64: the series, a dot, digits and what follows
            # them up to the ABI number if any, then exactly the flavour (not -rt-amd64 for
            # amd64, not -amd64-unsigned or -dbg)
            rx = re.compile(rf"linux-image-({re.escape(series)}\.\d+[^-]*(?:-\d+)?-{re.escape(flavour)})")
            rels = sorted((m[1] for p in listed if (m := rx.fullmatch(p)) and f"linux-headers-{m[1]}" in listed),
                          key=natural)
            if rels:
                out.append(rels[-1])
            else:
                lacking.append(f"{series} {flavour}")
    if lacking:
        raise HarnessError(f"the kernel matrix: apt's lists have no linux-image and linux-headers for "
                           f"{', '.join(lacking)} (apt-get update; 6.12 comes from bookworm-security)")
    return out


def default_kernel(have: list[str]) -> list[str]:
    """Debian's default kernel: the one linux-image-amd64 depends on, when installed with its
    headers; else the newest installed generic one (not -rt, so that installing the matrix does
    not move the other suites onto another kernel)."""
    dep = subprocess.run(["dpkg-query", "-W", "-f=${Depends}", "linux-image-amd64"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True).stdout
    m = re.search(r"linux-image-(\S+)", dep)
    if m and m[1] in have:
        return [m[1]]
    return ([v for v in have if not v.endswith("-rt-amd64")] or have)[-1:]


def kernel_specs(default: str = "") -> list[str]:
    """SGVM_KERNELS, else the suite's default (`matrix` for `run matrix`); empty: Debian's default."""
    return env("KERNELS").split() or default.split()


def kernels(specs: Iterable[str] = ()) -> list[Kernel]:
    """The kernels of SPECS (kernel_specs()): installed versions, tree directories, `debug` (the
    debug kernel, built and cached by build_debug_kernel()) or `matrix` (matrix_releases(), which
    install_deps() installed); none: Debian's default kernel. The running kernel (uname -r) is
    never used: it has no module support here."""
    have = installed_kernels()
    specs = list(specs) or default_kernel(have)
    if not specs:
        raise HarnessError("no Debian kernel with headers under /lib/modules "
                           "(install linux-image-amd64 linux-headers-amd64)")
    specs = [r for s in specs for r in (matrix_releases() if s == "matrix" else [s])]
    out = []
    for s in specs:
        if s == "debug":
            tree = build_debug_kernel(BUILD / "debug-kernel.log")
            out.append(Kernel("debug", tree, tree_image(tree), None))
            continue
        tree = Path(s)
        if tree.is_dir() and (tree / "Makefile").exists():
            out.append(Kernel(tree.name, tree.resolve(), tree_image(tree), None))
        elif s in have:
            out.append(Kernel(s, Path(f"/lib/modules/{s}/build"), Path(f"/boot/vmlinuz-{s}"),
                              Path(f"/lib/modules/{s}")))
        else:
            raise HarnessError(f"SGVM_KERNELS: {s} is neither an installed kernel with headers "
                               f"({', '.join(have) or 'none'}) nor a built kernel tree")
    return out


def kconfig(k: "Kernel", *options: str) -> bool:
    """True if the kernel's .config sets every option (CONFIG_X=y; a name with a leading ! : not set)."""
    cfg = k.kdir / ".config"
    text = cfg.read_text() if cfg.exists() else ""
    return all((f"\n{o[1:]}=y\n" not in f"\n{text}") if o.startswith("!") else (f"\n{o}=y\n" in f"\n{text}")
               for o in options)


def release(k: "Kernel") -> str:
    """What `uname -r` says in a guest booted on k."""
    f = k.kdir / "include/config/kernel.release"
    return k.name if k.modules is not None or not f.exists() else f.read_text().strip()


def tree_image(tree: Path) -> Path:
    """What QEMU boots of a kernel tree: its vmlinux when it has the PVH note (CONFIG_PVH), unless
    SGVM_NO_PVH=1; else its bzImage."""
    pvh = has_pvh_note(tree / "vmlinux") and env("NO_PVH") != "1"
    return tree / "vmlinux" if pvh else tree / "arch/x86/boot/bzImage"


def has_pvh_note(elf: Path) -> bool:
    """True if the ELF has the Xen PHYS32_ENTRY note that QEMU needs to boot it as PVH."""
    if not elf.exists():
        return False
    data = elf.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return False
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        p_type, _, off, _, _, size = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        pos = off
        while p_type == 4 and pos + 12 <= off + size:  # PT_NOTE
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            if data[pos + 12:pos + 12 + namesz].rstrip(b"\0") == b"Xen" and ntype == 18:
                return True
            pos += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
    return False


def boot_image(k: Kernel) -> Path:
    """What QEMU boots: the vmlinux inside a Debian vmlinuz's xz payload, extracted once, when
    it boots as PVH (about 3x faster to a shell); else the compressed image (SGVM_NO_PVH=1)."""
    if k.modules is None or env("NO_PVH") == "1":
        return k.boot
    return pvh_vmlinux(k.boot, k.name)


def pvh_vmlinux(vmlinuz: Path, name: str) -> Path:
    """The PVH-bootable vmlinux inside a Debian vmlinuz (cached by its content), else vmlinuz."""
    out = CACHE / f"vmlinux-{name}-{digest(vmlinuz)}"
    if not out.exists() and not out.with_suffix(".nopvh").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        blob, elf, pos = vmlinuz.read_bytes(), b"", 0
        while not elf.startswith(b"\x7fELF") and (pos := blob.find(b"\xfd7zXZ\x00", pos + 1)) >= 0:
            try:
                elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(blob[pos:])
            except lzma.LZMAError:
                elf = b""
        out.with_suffix(".tmp").write_bytes(elf)
        if has_pvh_note(out.with_suffix(".tmp")):
            out.with_suffix(".tmp").rename(out)
        else:
            log(f"{vmlinuz} has no PVH vmlinux inside; booting it compressed")
            out.with_suffix(".tmp").unlink()
            out.with_suffix(".nopvh").touch()
    return out if out.exists() else vmlinuz


# ---- C: the module, its tests, the guest helpers --------------------------------------------

def build_module(k: Kernel, log_file: Path, test: int = 0) -> Path:
    """sysgenid.ko against k; test=1: with the test-only hooks (sysgenid_test.h), test=2: also the
    deliberately broken VM-fork callback (it bumps in the notifier's own context: the proof that
    the debug kernel's detectors fire). A test build is made in a copy of the sources, so the
    shipped sysgenid.ko is never a test build."""
    if not test:
        sh(["make", "-C", KMOD, f"KDIR={k.kdir}"], log_file)
        return KMOD / "sysgenid.ko"
    src = [KMOD / n for n in ("Kbuild", "sysgenid.c", "sysgenid.h", "sysgenid_test.h")]
    d = BUILD / "kmod" / f"{k.name}-test{test}-{digest(*src, str(k.kdir), k.boot)}"
    if not (d / "sysgenid.ko").exists():
        d.mkdir(parents=True, exist_ok=True)
        for f in src:
            shutil.copy2(f, d / f.name)
        sh(["make", "-C", k.kdir, f"M={d}", f"SYSGENID_TEST={test}", "modules"], log_file)
    out = d / f"sysgenid_test{test}.ko"
    shutil.copy2(d / "sysgenid.ko", out)
    return out


# what kernel-module/README.md has a user copy to /usr/src/<name>-<version> before `dkms add`
DKMS_SOURCES = ("Kbuild", "Makefile", "dkms.conf", "sysgenid.c", "sysgenid.h")


def dkms_package() -> tuple[str, str]:
    """(PACKAGE_NAME, PACKAGE_VERSION) of kernel-module/dkms.conf."""
    conf = dict(re.findall(r'^(\w+)="?([^"\n]*)"?$', (KMOD / "dkms.conf").read_text(), re.M))
    return conf["PACKAGE_NAME"], conf["PACKAGE_VERSION"]


def first_error(lines: list, n: int) -> list:
    """N lines of a compiler's log from the first that reports an error (the cause, not the
    make lines that follow it)."""
    at = next((i for i, line in enumerate(lines) if re.search(r"\berror\b", line)), max(len(lines) - n, 0))
    return lines[max(at - 3, 0):at - 3 + n] + ([f"... ({len(lines) - at + 3 - n} more lines)"] if len(lines) - at + 3 > n else [])


def build_module_dkms(k: Kernel, log_file: Path) -> Path:
    """sysgenid.ko for k as a user gets it: `dkms add`, `dkms build -k`, `dkms install -k` of the
    sources kernel-module/README.md installs, with its dkms.conf. DKMS's trees are this run's own,
    made anew in BUILD/dkms/<kernel>/ (source, dkms and install trees, and the MOK key DKMS signs
    with): DKMS reads them from its own configuration directory /etc/dkms/framework.conf.d,
    which each dkms call sees replaced (a bind mount in a mount namespace of its own) by one file
    naming them; so the machine's /usr/src, /var/lib/dkms and /lib/modules are never touched
    (hence also no depmod). Returns the module `dkms install` put into the install tree
    (decompressed when the kernel compresses its modules); a failed build raises with DKMS's
    make.log."""
    name, ver = dkms_package()
    rel = release(k)
    root = BUILD / "dkms" / k.name
    shutil.rmtree(root, ignore_errors=True)
    for d in ("source", "tree", f"modules/{rel}", "framework.conf.d"):     # modules/<release>: the
        (root / d).mkdir(parents=True)                                       # kernel, to DKMS
    (root / "framework.conf.d/sgvm.conf").write_text(
        "".join(f'{key}="{root / d}"\n' for key, d in (("source_tree", "source"), ("dkms_tree", "tree"),
                                                      ("install_tree", "modules"), ("mok_signing_key", "mok.key"),
                                                      ("mok_certificate", "mok.pub"))))
    shutil.copytree(KMOD, root / "source" / f"{name}-{ver}", ignore=lambda d, names: set(names) - set(DKMS_SOURCES))

    def dkms(*args) -> str:
        return sh(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                   'mount --bind "$0" /etc/dkms/framework.conf.d && exec dkms "$@"', root / "framework.conf.d",
                   *args], log_file)
    pkg = ["-m", name, "-v", ver]
    dkms("add", *pkg)
    try:
        dkms("build", *pkg, "-k", rel, "--kernelsourcedir", k.kdir)
    except HarnessError as e:       # DKMS's own log of the build, from its first error on
        logs = sorted((root / "tree").rglob("make.log"))
        raise HarnessError(f"dkms build -k {rel} failed; DKMS's make.log:\n" + "".join(
            f"{m}:\n" + "\n".join(first_error(m.read_text(errors="replace").splitlines(), 50)) + "\n" for m in logs)
            + ("" if logs else str(e)))
    dkms("install", *pkg, "-k", rel, "--kernelsourcedir", k.kdir, "--no-depmod")
    status = dkms("status", *pkg, "-k", rel)
    if "installed" not in status:
        raise HarnessError(f"dkms status after dkms install: {status.strip() or 'nothing'}")
    found = sorted((root / "modules" / rel).rglob(f"{name}.ko*"))
    if len(found) != 1:
        raise HarnessError(f"dkms install left {len(found)} {name}.ko* under {root / 'modules' / rel}")
    out = root / f"{name}.ko"
    tool = {".xz": "xz", ".zst": "zstd", ".gz": "gzip"}.get(found[0].suffix)
    out.write_bytes(subprocess.run([tool, "-dc", found[0]], check=True, stdout=subprocess.PIPE).stdout
                    if tool else found[0].read_bytes())
    return out


def build_tests(log_file: Path) -> list[Path]:
    """The C tests: sysgenid_selftest (and its -m32 build, for the compat ABI), sysgenid_stress,
    sysgenid_fuzz."""
    sh(["make", "-C", KMOD / "tests"], log_file)
    return [KMOD / "tests" / n for n in ("sysgenid_selftest", "sysgenid_selftest32", "sysgenid_stress",
                                         "sysgenid_fuzz")]


def build_helpers(log_file: Path) -> list[Path]:
    """Static guest helpers from guest/*.c (-Werror), cached by the source's content."""
    out = []
    for src in sorted(GUEST.glob("*.c")):
        flags = ["-static", "-O2", "-Wall", "-Wextra", "-Werror"]
        exe = BUILD / "bin" / digest(src, *flags) / src.stem
        if not exe.exists():
            exe.parent.mkdir(parents=True, exist_ok=True)
            sh(["gcc", *flags, "-o", exe, src], log_file)
        out.append(exe)
    return out


def build_hello(jdk: Jdk) -> Path:
    """guest/Hello.java compiled once per source and JDK: the proof that the guest JRE runs a class."""
    out = BUILD / "hello" / digest(GUEST / "Hello.java", jdk.home / "release")
    if not (out / "Hello.class").exists():
        sh([jdk.home / "bin/javac", "--release", "17", "-d", out, GUEST / "Hello.java"])
    return out


# ---- Java: the jars of the guest --------------------------------------------------------------

HARNESS_JAVA = "kernel-module/vm/java"
SAMPLES = {"sysgenid-overseer-all.jar": "samples/overseer/target/sysgenid-overseer-*-all.jar",
           "sysgenid-webflux-app.jar": "samples/webflux-app/target/sysgenid-webflux-app-*[0-9T].jar",
           "sysgenid-prng-reseeder-all.jar": "samples/prng-reseeder/target/sysgenid-prng-reseeder-*-all.jar",
           "snapshot-safe.security": "samples/prng-reseeder/snapshot-safe.security"}


def build_jars(out: Path, log_file: Path, samples: bool = True) -> tuple[Path, Path]:
    """mvn package (no install: ~/.m2 stays untouched) of the harness's Java programs, and of the
    samples the e2e runs as they ship, in one reactor. Returns (jars, files): jars = the harness
    jar, its runtime dependencies (core, core's test-jar, reactor-adapter, the JUnit console
    launcher) and core's test-scope dependencies whatever they are (JUnit's own jars excepted:
    the console launcher brings them); files = the sample jars under fixed names."""
    jars, files = out / "jars", out / "files"
    for d in (jars, files):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    mods = [HARNESS_JAVA] + (["samples/overseer", "samples/webflux-app", "samples/prng-reseeder"] if samples else [])
    mvn = ["mvn", "-B", "-q", "-ntp", "-f", REPO / "pom.xml"]
    sh(mvn + ["package", "-DskipTests", "-pl", ",".join(mods), "-am"], log_file)
    sh(mvn + ["-pl", "core", "dependency:copy-dependencies", "-DincludeScope=test", f"-DoutputDirectory={jars}",
              "-DexcludeGroupIds=org.junit.jupiter,org.junit.platform,org.junit.vintage,org.opentest4j,"
              "org.apiguardian"],
       log_file)
    target = REPO / HARNESS_JAVA / "target"
    for j in [*target.glob("guest-lib/*.jar"), *target.glob("sysgenid-vm-harness-*.jar")]:
        shutil.copy2(j, jars / j.name)
    for name, pattern in SAMPLES.items() if samples else ():
        found = sorted(REPO.glob(pattern))
        if not found:
            raise HarnessError(f"mvn package did not leave {pattern}")
        shutil.copy2(found[-1], files / name)
    return jars, files


def build_jre(jdk: Jdk) -> Path:
    """jlink a JRE of JRE_MODULES (those the JDK has), cached per JDK and list, with a CDS archive."""
    listed = sh([jdk.home / "bin/java", "--list-modules"]) if not (jdk.home / "jmods").is_dir() else \
        "\n".join(p.stem for p in (jdk.home / "jmods").glob("*.jmod"))
    have = {line.split("@")[0] for line in listed.split()}
    mods = [m for m in JRE_MODULES if m in have]
    out = CACHE / f"jre-{digest(jdk.home / 'release', ','.join(mods))}"
    if not (out / ".done").exists():
        shutil.rmtree(out, ignore_errors=True)
        sh([jdk.home / "bin/jlink", "--add-modules", ",".join(mods), "--strip-debug",
            "--no-header-files", "--no-man-pages", "--output", out])
        sh([out / "bin/java", "-Xshare:dump"])   # the default CDS archive is not in jmods
        (out / ".done").write_text(",".join(mods) + "\n")
    return out


# ---- the guest image --------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Image:
    """A bootable guest: kernel, base initramfs (root, /init, the guest library) and a read-only
    data image (/data: bin, jre, jars, files, the JRE's libraries). kind names the root."""
    kernel: Kernel
    boot: Path
    initrd: Path
    data: Path
    jdk: Optional[Jdk]
    jars: tuple = ()                # file names in /data/jars
    kind: str = "busybox"           # or "debian": boot and initrd from the root file system's /boot
    append: str = ""                # kernel command line of the kind (Debian: root=/dev/vda rw)
    root: Optional[Path] = None     # Debian: the root disk (a qcow2 overlay over the cached root.img)


GUEST_KMODS = ("virtio_pci", "virtio_blk", "crc32c_generic", "ext4")


def kmod_order(k: Kernel) -> list[Path]:
    """The guest's driver modules with their modules.dep dependencies first."""
    if k.modules is None:
        return []
    deps, path = {}, {}
    for line in (k.modules / "modules.dep").read_text().splitlines():
        mod, _, rest = line.partition(":")
        deps[mod] = rest.split()
        path[Path(mod).name.split(".ko")[0].replace("-", "_")] = mod
    order: list[str] = []

    def visit(mod: str) -> None:
        for d in reversed(deps[mod]):   # modules.dep lists them so that reverse order loads
            visit(d)
        if mod not in order:
            order.append(mod)
    for name in GUEST_KMODS:
        if name in path:                # else built in
            visit(path[name])
    return [k.modules / m for m in order]


def cpio(root: Path, out: Path) -> None:
    find = subprocess.Popen(["find", ".", "-mindepth", "1"], cwd=root, stdout=subprocess.PIPE)
    with open(out, "wb") as f:
        subprocess.run(f"cpio --quiet -o -H newc -R 0:0 | gzip -1", shell=True, cwd=root,
                       stdin=find.stdout, stdout=f, check=True)
    find.wait()


def busybox_root(root: Path, k: Kernel, ko: Optional[Path]) -> None:
    """The busybox guest: static busybox, guest/init and guest/lib.sh, the drivers for the data
    image, sysgenid.ko, and links that make the data image's loader and libraries visible.
    The Debian guest is a disk, not an initramfs: debian_root()."""
    for d in ("bin", "dev", "proc", "sys", "tmp", "data", "etc", "kmod", "guest", "lib", "usr/lib"):
        (root / d).mkdir(parents=True, exist_ok=True)
    shutil.copy2(shutil.which("busybox") or "/bin/busybox", root / "bin/busybox")
    shutil.copy2(GUEST / "init", root / "init")
    shutil.copy2(GUEST / "lib.sh", root / "guest/lib.sh")
    (root / "etc/passwd").write_text("root:x:0:0:root:/tmp:/bin/sh\n")
    (root / "etc/group").write_text("root:x:0:\n")
    (root / "lib64").symlink_to("/data/lib64")
    for d in ("lib", "usr/lib"):
        (root / d / "x86_64-linux-gnu").symlink_to("/data/lib/x86_64-linux-gnu")
    names = []
    for src in kmod_order(k):
        names.append(src.name.split(".ko")[0] + ".ko")
        tool = {".xz": "xz", ".zst": "zstd"}.get(src.suffix)
        data = subprocess.run([tool, "-dc", src], check=True, stdout=subprocess.PIPE).stdout \
            if tool else src.read_bytes()
        (root / "kmod" / names[-1]).write_bytes(data)
    (root / "kmod/order").write_text("".join(n + "\n" for n in names))
    if ko:
        shutil.copy2(ko, root / "sysgenid.ko")


ROOTS = {"busybox": busybox_root}


# The Debian guest's root: Debian 12 with systemd and udev on its 6.1 kernel, and what DKMS needs
# to build the module against it (its headers, gcc, make). The 6.12 upgrade's .debs come along.
DEBIAN_ROOT = GUEST / "debian"
DEBIAN_ROOT_PACKAGES = ("systemd systemd-sysv udev kmod linux-image-amd64 linux-headers-amd64 dkms gcc make "
                        "libc6-dev initramfs-tools iproute2 procps adduser passwd").split()


@dataclasses.dataclass(frozen=True)
class DebianRoot:
    """A built Debian root (debian_root()): root.img, the kernel and initramfs it boots, the 6.12
    image package whose .debs wait in its /opt/sgvm/debs."""
    dir: Path
    image: Path
    vmlinuz: Path
    initrd: Path
    kernel: str
    upgrade: str


def debian_root(log_file: Path) -> DebianRoot:
    """SGVM_KERNEL_CACHE/../debian-<key> (default /var/cache/sgvm/debian-<key>), key = the package
    list and guest/debian/ (mkroot, its hook, the test driver), built once by guest/debian/mkroot
    (mmdebstrap from deb.debian.org) in a temporary directory renamed into place."""
    cache = Path(env("KERNEL_CACHE", "/var/cache/sgvm/kernels")).parent
    out = cache / f"debian-{digest(' '.join(DEBIAN_ROOT_PACKAGES), DEBIAN_ROOT)}"
    if not (out / ".sgvm-built").exists():
        tmp = out.with_name(out.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        log(f"building the Debian guest's root in {tmp} (mmdebstrap; log {log_file})")
        sh([DEBIAN_ROOT / "mkroot", tmp, *DEBIAN_ROOT_PACKAGES], log_file)
        (tmp / ".sgvm-built").write_text(" ".join(DEBIAN_ROOT_PACKAGES) + "\n")
        shutil.rmtree(out, ignore_errors=True)
        tmp.rename(out)
    return DebianRoot(out, out / "root.img", out / "vmlinuz", out / "initrd.img",
                      (out / "kernel").read_text().strip(), (out / "kernel-upgrade").read_text().strip())


def ldd_libs(elfs: Iterable[Path], inside: Path) -> set[Path]:
    libs = set()
    for f in elfs:
        out = subprocess.run(["ldd", str(f)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
        for m in re.finditer(r"(/\S+)\s+\(0x", out):
            if inside not in Path(m[1]).resolve().parents:
                libs.add(Path(m[1]))
    return libs


def build_image(name: str, k: Kernel, ko: Optional[Path], bins: list[Path], jdk: Optional[Jdk],
                jars: Optional[Path] = None, files: Optional[Path] = None) -> Image:
    """build/images/NAME: the base initramfs (rebuilt each time, 0.2 s) and the data image
    (rebuilt only when its content changed). SGVM_GUEST picks the kind of root (busybox)."""
    d = BUILD / "images" / name
    d.mkdir(parents=True, exist_ok=True)
    kind = env("GUEST", "busybox")
    if kind not in ROOTS:
        raise HarnessError(f"SGVM_GUEST={kind}: known kinds are {', '.join(ROOTS)}")
    with tempfile.TemporaryDirectory(prefix="sgvm-root-") as td:
        ROOTS[kind](Path(td), k, ko)
        cpio(Path(td), d / "base.cpio.gz")
    jre = build_jre(jdk) if jdk else None
    key = digest(*bins, *(p for p in (jars, files) if p), str(jre))
    data = d / "data.img"
    if not data.exists() or not (d / "data.key").exists() or (d / "data.key").read_text() != key:
        st = d / "data-stage"
        shutil.rmtree(st, ignore_errors=True)
        for sub, src in (("jars", jars), ("files", files)):
            shutil.copytree(src, st / sub) if src else (st / sub).mkdir(parents=True)
        (st / "bin").mkdir()
        for b in bins:
            shutil.copy2(b, st / "bin" / b.name)
        if jre:
            sh(["cp", "-al", jre, st / "jre"])
            # the JRE's libraries, and those of any agent among the files (SGVM_BENCH_PROFILE)
            for lib in ldd_libs([jre / "bin/java", *jre.glob("lib/**/*.so"), *(files.glob("*.so") if files else ())],
                                jre):
                dest = st / ("lib64" if lib.name.startswith("ld-linux") else "lib/x86_64-linux-gnu") / lib.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(lib.resolve(), dest)
        mib = int(sum(p.stat().st_size for p in st.rglob("*") if p.is_file() and not p.is_symlink())
                  * 1.25 / 2**20) + 32
        sh(["mkfs.ext4", "-q", "-F", "-L", "sgdata", "-m", "0", "-E", "root_owner=0:0", "-d", st,
            data, f"{mib}M"])
        (d / "data.key").write_text(key)
        shutil.rmtree(st)
    return Image(k, boot_image(k), d / "base.cpio.gz", data, jdk,
                 tuple(sorted(p.name for p in jars.iterdir())) if jars else (), kind)
