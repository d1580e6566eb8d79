# Guest side of `run e2e overseer`: the overseer CLI (samples/overseer's shaded jar) against the
# real /dev/sysgenid. The --json lines are data for the host (busybox has no JSON tool).
OV="$JAVA $JAVA_OPTS -jar /data/files/sysgenid-overseer-all.jar"
echo "== status"
$OV status > /tmp/st.out 2>&1; rc=$?
cat /tmp/st.out
gen=$(gen)
if counts_exported; then
    counts_ok() { grep -q "^tracked watchers: *$(cat $SYS/tracked_watchers)\$" /tmp/st.out \
        && grep -q "^outdated watchers: *$(cat $SYS/outdated_watchers)\$" /tmp/st.out; }
    counts_text="the counts as sysfs has them"
else
    counts_ok() { grep -q '^tracked watchers: *unknown' /tmp/st.out && grep -q '^outdated watchers: *unknown' /tmp/st.out; }
    counts_text="the counts unknown (the driver exports none)"
fi
grep -q '^state: *present' /tmp/st.out && grep -q "^generation: *$gen\$" /tmp/st.out && grep -q '^driver: ' /tmp/st.out && counts_ok
ok=$?; [ $rc = 0 ] && [ $ok = 0 ]
check $? "status: exit $rc, present, generation $gen, the driver named, $counts_text: $(one /tmp/st.out)"
$OV --json status > /tmp/stj.out 2>&1; rc=$?
data status-json-rc $rc
data status-json "$(head -n 1 /tmp/stj.out)"
data lib-gen "$gen" # nothing moved the counter since status

echo "== trigger --min"
min=$((gen + 1000))
$OV trigger --min $min > /tmp/tr.out 2>&1; rc=$?
cat /tmp/tr.out
sys=$(gen)
[ $rc = 0 ] && grep -q "^generation $min\$" /tmp/tr.out && [ "$sys" = "$min" ]
check $? "trigger --min $min: exit $rc, printed '$(one /tmp/tr.out)', the library reads generation $sys"
$OV trigger > /tmp/tr2.out 2>&1; rc=$?
sys=$(gen)
[ $rc = 0 ] && grep -q "^generation $((min + 1))\$" /tmp/tr2.out && [ "$sys" = "$((min + 1))" ]
check $? "trigger --min below the counter: current + 1 = $((min + 1)) (exit $rc, '$(one /tmp/tr2.out)', the library reads $sys)"

echo "== wait with a tracked outdated watcher held by another process"
rm -f /tmp/ack-now /tmp/exit-now
$J dev.sysgenid.e2e.HoldThenAck /tmp/ack-now /tmp/exit-now > /tmp/holder.out 2>&1 &
HPID=$!
if wait_line /tmp/holder.out '^HOLDING' 60; then
    $OV trigger > /dev/null 2>&1
    wait_line /tmp/holder.out '^GOT' 10
    counts_exported && echo "sysfs before wait: tracked $(cat $SYS/tracked_watchers) outdated $(cat $SYS/outdated_watchers)"
    $OV wait --timeout 2s > /tmp/w1.out 2>&1; rc=$?
    cat /tmp/w1.out
    if counts_exported; then
        [ $rc = 6 ] && grep -q '1 tracked watcher(s) still outdated' /tmp/w1.out
    else
        [ $rc = 6 ] && grep -q 'tracked watchers still outdated (this driver does not report how many)' /tmp/w1.out
    fi
    check $? "wait --timeout 2s while another process holds 1 tracked outdated watcher: exit $rc (6 wanted), '$(one /tmp/w1.out)'"
    $OV --json wait --timeout 1s > /tmp/w1j.out 2>&1; rc=$?
    data wait-json-rc $rc
    data wait-json "$(head -n 1 /tmp/w1j.out)"
    touch /tmp/ack-now
    wait_line /tmp/holder.out '^ACKED' 10
    $OV wait --timeout 10s > /tmp/w2.out 2>&1; rc=$?
    cat /tmp/w2.out
    [ $rc = 0 ] && { ! counts_exported || { [ "$(cat $SYS/outdated_watchers)" = 0 ] && [ "$(cat $SYS/tracked_watchers)" = 1 ]; }; }
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
before=$(gen)
$OV restore-cycle --timeout 20s > /tmp/rc.out 2>&1; rc=$?
cat /tmp/rc.out
wait $WPID; wrc=$?
cat /tmp/watch.out
after=$(gen)
[ $rc = 0 ] && [ $wrc = 0 ] && [ "$after" = $((before + 1)) ] && grep -q "$after" /tmp/rc.out && grep -q "$after" /tmp/watch.out \
    && { ! counts_exported || [ "$(cat $SYS/outdated_watchers)" = 0 ]; }
check $? "restore-cycle --timeout 20s: exit $rc, generation $before -> $after, '$(one /tmp/rc.out)'; the tracked watcher saw $after and acked (watch exit $wrc)"

echo "== unprivileged: /dev/sysgenid as udev would set it up (group sysgenid, mode 0664)"
udev_like
runas 65534 65534 $OV status > /tmp/np.out 2>&1; rc=$?
cat /tmp/np.out
[ $rc = 3 ] && grep -qF 'SUBSYSTEM=="misc", KERNEL=="sysgenid", GROUP="sysgenid", MODE="0664", TAG+="systemd"' /tmp/np.out
check $? "status as uid 65534 without the group: exit $rc (3 wanted), prints the udev rule: $(grep -c 'KERNEL==' /tmp/np.out) line(s)"
gen=$(gen)
runas 65534 65534,990 $OV status > /tmp/ng.out 2>&1; src=$?
runas 65534 65534,990 $OV trigger > /tmp/nc.out 2>&1; rc=$?
cat /tmp/nc.out
[ $src = 0 ] && [ $rc = 5 ] && [ "$(gen)" = "$gen" ]
check $? "as uid 65534 in the group without the capability: status exit $src, trigger exit $rc (5 wanted), counter unchanged at $gen: '$(one /tmp/nc.out)'"
dmesg_clean "dmesg is clean after the overseer CLI checks"
