# kernel-module/vm/guest/lib.sh - sourced by /init before every guest script (busybox sh).
# The one line protocol the host parses (sgvm/report.py):
#   CHECK ok|not-ok - TEXT     a result: the host turns it into "ok N - PREFIX TEXT"
#   DATA KEY VALUE...          a datum for the host (measurements, ids, values to compare)
# The host decides the JDK and its options and passes them in /guest/env: $JAVA, $JAVA_OPTS,
# $CP (the class path: every jar of /data/jars but the JUnit console launcher), $JUNIT (the
# launcher), $SGVM_* (the knobs a script uses). $J runs a class of $CP.
J="$JAVA $JAVA_OPTS -cp $CP"
# Our module's sysfs attributes: the production driver (Amazon Linux microVM kernels) has none,
# so a script judges through the library (gen, the Java programs) and reads these only where
# they exist (counts_exported).
SYS=/sys/class/misc/sysgenid
# gen: the current generation as the library reads it (the mapped page), on any driver
gen() { $J dev.sysgenid.e2e.CurrentGeneration; }
# counts_exported: 0 when the loaded driver exports the watcher counts (ours)
counts_exported() { [ -r $SYS/tracked_watchers ]; }

# check STATUS TEXT: a result line, ok when STATUS is 0
check() { if [ "$1" = 0 ]; then echo "CHECK ok - $2"; else echo "CHECK not-ok - $2"; fi; }
# data KEY VALUE...: a data line
data() { echo "DATA $*"; }
# wait_line FILE REGEX SECONDS: wait until a line of FILE matches; 1 after SECONDS
wait_line() {
    n=0
    while ! grep -q "$2" "$1" 2>/dev/null; do
        n=$((n + 1)); [ $n -gt $(($3 * 10)) ] && return 1; sleep 0.1
    done
}
# one FILE: its lines joined on one line, for a check's text
one() { tr '\n' ' ' < "$1" | sed 's/  */ /g'; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
# before_s D: true while less than D seconds have passed since this boot (a deadline by the clock,
# not a count of polls: each poll may be slow under TCG)
before_s() { awk -v d="$1" -v n="$(uptime_s)" 'BEGIN { exit !(n < d) }'; }
# field JSON NAME: the value of "NAME": in a flat JSON text (string or number)
field() { echo "$1" | sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1; }
# get METHOD PATH: an HTTP request to 127.0.0.1:$PORT (sghttp); sets CODE and BODY
get() {
    sghttp "$1" $PORT "$2" > /tmp/http.out 2>/dev/null; CODE=$(head -n 1 /tmp/http.out); BODY=$(sed 1d /tmp/http.out)
}
# settled: the Debian guest as a person finds it after logging in: udev has handled the boot's
# device events (the rule's mode on /dev/sysgenid) and the data image is mounted. The test unit
# runs once multi-user is reached, which does not wait for either: on a slow boot (6.12, a loaded
# host) it once saw /dev/sysgenid still root:root 0600 and /data not yet mounted.
settled() {
    udevadm settle --timeout=180
    n=0
    while ! mountpoint -q /data && [ $n -lt 1800 ]; do sleep 0.1; n=$((n + 1)); done
}
# dkms_build_seconds KERNEL: how long DKMS took to build sysgenid for KERNEL: from the start time
# its make.log records (its second line) to the log's last write; "?" when there is no log
dkms_build_seconds() {
    _log=$(ls /var/lib/dkms/sysgenid/*/"$1"/*/log/make.log 2>/dev/null | head -n 1)
    _start=$(sed -n 2p "$_log" 2>/dev/null)
    [ -n "$_start" ] && _t=$(date -d "$_start" +%s 2>/dev/null) && echo $(( $(stat -c %Y "$_log") - _t )) || echo "?"
}
# step TEXT COMMAND...: runs the command, shows its output, and checks its exit status and, when
# it prints a TAP plan "1..N", that N > 0 tests ran, N results; the text gains the command's own
# "N passed, N failed" line and the guest seconds it took
step() {
    text=$1; shift
    t0=$(uptime_s)
    "$@" > /tmp/step.out 2>&1
    rc=$?
    cat /tmp/step.out
    plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' /tmp/step.out)
    [ -z "$plan" ] || { [ "$plan" -gt 0 ] && [ "$plan" = "$(grep -cE '^(not )?ok [0-9]+' /tmp/step.out)" ]; } || rc=1
    sum=$(grep -Eo '^[0-9]+ passed, [0-9]+ failed.*' /tmp/step.out | tail -n 1)
    check $rc "$text${sum:+ ($sum)} [$(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { printf "%.2f", b - a }') s]"
}
# dmesg_clean TEXT: a check that the kernel logged no WARN/BUG/lockdep line
dmesg_clean() {
    dmesg | grep -E "$SGVM_DMESG_BAD"
    check $([ -z "$(dmesg | grep -E "$SGVM_DMESG_BAD")" ]; echo $?) "$1"
}
# kmemleak_clear: forget what the kernel reported as leaked before this script (no-op without
# kmemleak); kmemleak_scan TEXT: scan now and check that nothing new is reported (on a kernel
# without kmemleak: a note, no check)
KMEMLEAK=/sys/kernel/debug/kmemleak
kmemleak_clear() {
    grep -q ' /sys/kernel/debug ' /proc/mounts || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
    [ -e $KMEMLEAK ] && echo clear > $KMEMLEAK
}
kmemleak_scan() {
    if [ ! -e $KMEMLEAK ]; then echo "# kmemleak: not in this kernel"; return 0; fi
    echo scan > $KMEMLEAK && echo scan > $KMEMLEAK
    cat $KMEMLEAK > /tmp/kmemleak.out
    cat /tmp/kmemleak.out
    check $([ ! -s /tmp/kmemleak.out ]; echo $?) "$1"
}
# udev_like: /dev/sysgenid as udev sets it up (group sysgenid, 0664: udev/60-sysgenid.rules), and the unprivileged
# user nobody (uid 65534) for runas
udev_like() {
    echo "sysgenid:x:990:" >> /etc/group
    echo "nogroup:x:65534:" >> /etc/group
    echo "nobody:x:65534:65534:nobody:/tmp:/bin/sh" >> /etc/passwd
    chgrp sysgenid /dev/sysgenid && chmod 0664 /dev/sysgenid
    ls -l /dev/sysgenid
}
