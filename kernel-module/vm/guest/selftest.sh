# Guest side of `run selftest`, boot 1: the device, sysfs, the JRE, the driver's C tests (64- and
# 32-bit), rmmod once nothing is open, a kmemleak scan when the kernel has it, dmesg.
kmemleak_clear
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
