# Guest side of `run selftest` (and `run matrix`), boot 1: the kernel the host meant, the device,
# sysfs, the JRE, the driver's C tests (64- and 32-bit), rmmod once nothing is open, a kmemleak
# scan when the kernel has it, dmesg.
kmemleak_clear
# the release the host built sysgenid.ko for, and its preemption model: PREEMPT_RT (spinlocks
# sleep, interrupt handlers run in irq/N-name threads) exactly when the kernel's config says so
kernel_is() {
    uname -rv
    [ "$(uname -r)" = "$SGVM_KERNEL_RELEASE" ] || return 1
    if [ "$SGVM_KERNEL_RT" = 1 ]; then
        uname -v | grep -q PREEMPT_RT || return 1
        echo "interrupt threads: $(cat /proc/[0-9]*/comm | grep -c '^irq/')"
        cat /proc/[0-9]*/comm | grep -q '^irq/'
    else
        ! uname -v | grep -q PREEMPT_RT
    fi
}
step "kernel $SGVM_KERNEL_RELEASE, PREEMPT_RT $([ "$SGVM_KERNEL_RT" = 1 ] && echo yes || echo no)" kernel_is
sysfs() { for f in generation backend tracked_watchers outdated_watchers; do echo "$f=$(cat $SYS/$f)" || return 1; done; }
step "/dev/sysgenid is a character device" test -c /dev/sysgenid
step "$SYS/{generation,backend,tracked_watchers,outdated_watchers}" sysfs
step "java -version with the jlinked JRE" $JAVA $JAVA_OPTS -version
step "precompiled Hello class runs" $JAVA $JAVA_OPTS -cp /data/files Hello
step "sysgenid_selftest" sysgenid_selftest
step "sysgenid_selftest32 (-m32: the compat_ioctl path)" sysgenid_selftest32
step "sysgenid_stress $SGVM_STRESS_THREADS threads $SGVM_STRESS_SECONDS s" \
    sysgenid_stress "$SGVM_STRESS_THREADS" "$SGVM_STRESS_SECONDS"
step "sysgenid_fuzz seed $SGVM_FUZZ_SEED, $SGVM_FUZZ_SECONDS s, 2 processes x 3 threads" \
    sysgenid_fuzz "$SGVM_FUZZ_SEED" "$SGVM_FUZZ_SECONDS" 2 3
step "rmmod sysgenid once every fd and mapping is closed" rmmod sysgenid
step "/dev/sysgenid is gone after rmmod" test ! -e /dev/sysgenid
kmemleak_scan "kmemleak: no leak after the tests and rmmod"
dmesg_clean "dmesg has no WARN/BUG/lockdep lines after the tests"
