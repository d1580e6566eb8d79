# Guest side of `run selftest`, boot 1: the device, sysfs, the JRE, the driver's C tests, dmesg.
sysfs() { for f in generation tracked_watchers outdated_watchers; do echo "$f=$(cat $SYS/$f)" || return 1; done; }
step "/dev/sysgenid is a character device" test -c /dev/sysgenid
step "$SYS/{generation,tracked_watchers,outdated_watchers}" sysfs
step "java -version with the jlinked JRE" $JAVA $JAVA_OPTS -version
step "precompiled Hello class runs" $JAVA $JAVA_OPTS -cp /data/files Hello
step "sysgenid_selftest" sysgenid_selftest
step "sysgenid_stress $SGVM_STRESS_THREADS threads $SGVM_STRESS_SECONDS s" \
    sysgenid_stress "$SGVM_STRESS_THREADS" "$SGVM_STRESS_SECONDS"
dmesg_clean "dmesg has no WARN/BUG/lockdep lines after the tests"
