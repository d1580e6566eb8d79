"""run matrix: the selftest suite's guests on every kernel of the matrix, with sysgenid.ko built
through DKMS (the way users install it). By default the matrix is Debian's own kernels 6.1 and
6.12, each in its generic and its PREEMPT_RT flavour (config.MATRIX_SERIES, MATRIX_FLAVOURS: the
newest of each that apt offers, installed by the harness); SGVM_KERNELS picks others. Per kernel:
`dkms add/build/install -k`, boot 1 (the kernel and its preemption model, the C self-tests and
their -m32 build, stress, fuzz, rmmod, dmesg) and boot 2 (a snapshot restored three times). The
hard-IRQ and detector stages are not repeated here: they are selftest's (the default and the
debug kernel)."""
from __future__ import annotations

from . import selftest

STAGES = ("boot1", "snapshot")
KERNELS = "matrix"          # the default of SGVM_KERNELS for this suite
MODULE_BUILD = "dkms"       # the default of SGVM_MODULE_BUILD for this suite
run = selftest.run
