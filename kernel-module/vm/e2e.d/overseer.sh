# e2e.d/overseer.sh - guest side of kernel-module/vm/e2e, boot 3: the overseer CLI
# (samples/overseer, the shaded -all jar in $SG_FILES) against the real /dev/sysgenid.
# Prints "CHECK ok|not-ok - text" lines; "STATUS-JSON <line>" and "SYSFS-GEN <n>" for the
# host's JSON check. Runs as root; the last two checks drop to uid 65534 with runas.
CP=$(ls $SG_JARS/*.jar | grep -v junit-platform-console-standalone | tr '\n' : )
J="$JAVA $JAVA_OPTS -cp $CP"
OV="$JAVA $JAVA_OPTS -jar $SG_FILES/sysgenid-overseer-all.jar"
SYS=/sys/class/misc/sysgenid
check() { if [ "$1" = 0 ]; then echo "CHECK ok - $2"; else echo "CHECK not-ok - $2"; fi; }
wait_line() {
    n=0
    while ! grep -q "$2" "$1" 2>/dev/null; do
        n=$((n + 1)); [ $n -gt $(($3 * 10)) ] && return 1; sleep 0.1
    done
}
one() { tr '\n' ' ' < "$1" | sed 's/  */ /g'; }

echo "== status"
$OV status > /tmp/st.out 2>&1; rc=$?
cat /tmp/st.out
gen=$(cat $SYS/generation)
grep -q '^state: *present' /tmp/st.out && grep -q "^generation: *$gen\$" /tmp/st.out \
    && grep -q "^tracked watchers: *$(cat $SYS/tracked_watchers)\$" /tmp/st.out \
    && grep -q "^outdated watchers: *$(cat $SYS/outdated_watchers)\$" /tmp/st.out
ok=$?; [ $rc = 0 ] && [ $ok = 0 ]
check $? "status: exit $rc, present, generation $gen and the counts as sysfs has them: $(one /tmp/st.out)"
$OV --json status > /tmp/stj.out 2>&1; rc=$?
echo "STATUS-JSON-RC $rc"
echo "STATUS-JSON $(head -n 1 /tmp/stj.out)"
echo "SYSFS-GEN $(cat $SYS/generation)"

echo "== trigger --min"
min=$(( $(cat $SYS/generation) + 1000 ))
$OV trigger --min $min > /tmp/tr.out 2>&1; rc=$?
cat /tmp/tr.out
sys=$(cat $SYS/generation)
[ $rc = 0 ] && grep -q "^generation $min\$" /tmp/tr.out && [ "$sys" = "$min" ]
check $? "trigger --min $min: exit $rc, printed '$(one /tmp/tr.out)', sysfs generation $sys"
$OV trigger > /tmp/tr2.out 2>&1; rc=$?
sys=$(cat $SYS/generation)
[ $rc = 0 ] && grep -q "^generation $((min + 1))\$" /tmp/tr2.out && [ "$sys" = "$((min + 1))" ]
check $? "trigger --min below the counter: current + 1 = $((min + 1)) (exit $rc, '$(one /tmp/tr2.out)', sysfs $sys)"

echo "== wait with a tracked outdated watcher held by another process"
rm -f /tmp/ack-now /tmp/exit-now
$J dev.sysgenid.e2e.HoldThenAck /tmp/ack-now /tmp/exit-now > /tmp/holder.out 2>&1 &
HPID=$!
if wait_line /tmp/holder.out '^HOLDING' 60; then
    $OV trigger > /dev/null 2>&1
    wait_line /tmp/holder.out '^GOT' 10
    echo "sysfs before wait: tracked $(cat $SYS/tracked_watchers) outdated $(cat $SYS/outdated_watchers)"
    $OV wait --timeout 2s > /tmp/w1.out 2>&1; rc=$?
    cat /tmp/w1.out
    [ $rc = 6 ] && grep -q '1 tracked watcher(s) still outdated' /tmp/w1.out
    check $? "wait --timeout 2s while another process holds 1 tracked outdated watcher: exit $rc (6 wanted), '$(one /tmp/w1.out)'"
    $OV --json wait --timeout 1s > /tmp/w1j.out 2>&1; rc=$?
    echo "WAIT-JSON-RC $rc"
    echo "WAIT-JSON $(head -n 1 /tmp/w1j.out)"
    touch /tmp/ack-now
    wait_line /tmp/holder.out '^ACKED' 10
    $OV wait --timeout 10s > /tmp/w2.out 2>&1; rc=$?
    cat /tmp/w2.out
    [ $rc = 0 ] && [ "$(cat $SYS/outdated_watchers)" = 0 ] && [ "$(cat $SYS/tracked_watchers)" = 1 ]
    check $? "wait --timeout 10s after that process acknowledged ($(grep ACKED /tmp/holder.out)): exit $rc, '$(one /tmp/w2.out)', holder still tracked"
    touch /tmp/exit-now
else
    check 1 "the holder JVM did not start"
fi
wait $HPID
sed 's/^/holder: /' /tmp/holder.out

echo "== restore-cycle with a tracked watcher that acknowledges (overseer watch --track)"
$OV watch --track --count 1 > /tmp/watch.out 2>&1 &
WPID=$!
wait_line /tmp/watch.out '^watching' 60
before=$(cat $SYS/generation)
$OV restore-cycle --timeout 20s > /tmp/rc.out 2>&1; rc=$?
cat /tmp/rc.out
wait $WPID; wrc=$?
cat /tmp/watch.out
after=$(cat $SYS/generation)
[ $rc = 0 ] && [ $wrc = 0 ] && [ "$after" = $((before + 1)) ] && grep -q "$after" /tmp/rc.out && grep -q "$after" /tmp/watch.out \
    && [ "$(cat $SYS/outdated_watchers)" = 0 ]
check $? "restore-cycle --timeout 20s: exit $rc, generation $before -> $after, '$(one /tmp/rc.out)'; the tracked watcher saw $after and acked (watch exit $wrc)"

echo "== unprivileged: /dev/sysgenid as udev would set it up (group sysgenid, mode 0660)"
echo "sysgenid:x:990:" >> /etc/group
echo "nogroup:x:65534:" >> /etc/group
echo "nobody:x:65534:65534:nobody:/tmp:/bin/sh" >> /etc/passwd
chgrp sysgenid /dev/sysgenid && chmod 0660 /dev/sysgenid
ls -l /dev/sysgenid
runas 65534 65534 $OV status > /tmp/np.out 2>&1; rc=$?
cat /tmp/np.out
[ $rc = 3 ] && grep -qF 'KERNEL=="sysgenid", GROUP="sysgenid", MODE="0660"' /tmp/np.out
check $? "status as uid 65534 without the group: exit $rc (3 wanted), prints the udev rule: $(grep -c 'KERNEL==' /tmp/np.out) line(s)"
gen=$(cat $SYS/generation)
runas 65534 65534,990 $OV status > /tmp/ng.out 2>&1; src=$?
runas 65534 65534,990 $OV trigger > /tmp/nc.out 2>&1; rc=$?
cat /tmp/nc.out
[ $src = 0 ] && [ $rc = 5 ] && [ "$(cat $SYS/generation)" = "$gen" ]
check $? "as uid 65534 in the group without the capability: status exit $src, trigger exit $rc (5 wanted), counter unchanged at $gen: '$(one /tmp/nc.out)'"
dmesg | grep -E "$SG_DMESG_BAD" && check 1 "dmesg is clean" || check 0 "dmesg is clean after the overseer CLI checks"
exit 0
