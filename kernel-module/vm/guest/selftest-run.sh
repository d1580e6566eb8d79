# Guest side of kernel-module/vm/selftest, boot 1 (runs under the guest's /init,
# busybox sh).  Each step prints "=== NAME", its output, then
# "@@RESULT NAME RC SECONDS" for the host to turn into a check line.
up() { cut -d' ' -f1 /proc/uptime; }
step() {
    name=$1; shift
    echo "=== $name: $*"
    t0=$(up)
    "$@"
    rc=$?
    t1=$(up)
    echo "@@RESULT $name $rc $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
}
sysfs() {
    for f in generation tracked_watchers outdated_watchers; do
        v=$(cat /sys/class/misc/sysgenid/$f) || return 1
        echo "$f=$v"
    done
}
dmesg_clean() {
    if dmesg | grep -E "$SG_DMESG_BAD"; then return 1; fi
    echo "no WARN/BUG/lockdep lines"
}
step device test -c /dev/sysgenid
step sysfs sysfs
step java-version $JAVA $JAVA_OPTS -version
step java-hello $JAVA $JAVA_OPTS -cp "$SG_JARS" Hello
step selftest sysgenid_selftest
step stress sysgenid_stress "${SGVM_STRESS_THREADS:-4}" "${SGVM_STRESS_SECONDS:-10}"
step dmesg dmesg_clean
exit 0
