# Guest side of `run e2e boot1`: every test class of core tagged real-device (selected by tag over
# core's test classes, with JUnit's console launcher), reactor-adapter's subscription lifecycle,
# then the faults. A JVM that prints its checks exits 0 when all passed: any other status is a
# failed check of its own ("... exited N").
echo "== core's tests tagged real-device"
$JAVA $JAVA_OPTS -jar $JUNIT execute --class-path "$CP" --scan-class-path="$SGVM_CORE_TESTS" --fail-if-no-tests \
    --include-tag real-device --config jqwik.database=/tmp/jqwik-database --details=tree --disable-ansi-colors \
    --disable-banner > /tmp/junit.out 2>&1
rc=$?
cat /tmp/junit.out
summary=$(grep -E '^\[ +[0-9]+ tests (successful|failed|skipped|aborted) +\]' /tmp/junit.out | tr -s ' ' | tr '\n' ' ')
aborted=$(grep -o '[A-Za-z]*() \[A\]' /tmp/junit.out | sed 's/ \[A\]//' | tr '\n' ' ')
check $rc "core's tests tagged real-device on the real device (JUnit console, exit $rc): $summary\
${aborted:+(aborted by assumption: $aborted- run as root; the faults below cover the unprivileged case)}"
grep -q 'RealDeviceContractTest' /tmp/junit.out; check $? "the console ran RealDeviceContractTest"
grep -q 'theDeviceAnswersAsTheModelAfterEveryStep' /tmp/junit.out
check $? "the console ran RealDeviceModelTest (jqwik engine on the class path)"
data junit-summary "$summary"
echo "dmesg after the contract suite: $(dmesg | grep -cE "$SGVM_DMESG_BAD") bad lines"

echo "== reactor-adapter lifecycle on the real device (dev.sysgenid.e2e.ReactorLifecycle: reactor-adapter has no \
real-device-tagged test class)"
$J dev.sysgenid.e2e.ReactorLifecycle || check 1 "ReactorLifecycle exited $?"

echo "== faults"
echo "-- a JVM with 5 tracked subscribers that never ack; kill -9 releases the overseer"
$J dev.sysgenid.e2e.Faults hold 5 > /tmp/hold.out 2>&1 &
HPID=$!
if wait_line /tmp/hold.out '^HOLDING' 60; then
    $J dev.sysgenid.e2e.Faults wait-timeout 5 1500 || check 1 "Faults wait-timeout exited $?"
    wait_line /tmp/hold.out 'sub=4' 10
    got=$(grep -c '^GOT ' /tmp/hold.out)
    [ "$got" = 5 ]; check $? "each never-acking subscriber got the change once before the timeout ($got GOT lines)"
    $J dev.sysgenid.e2e.Faults wait-release 60 > /tmp/release.out 2>&1 &
    RPID=$!
    wait_line /tmp/release.out '^WAITING' 60
    sleep 1
    counts_exported && echo "outdated_watchers before kill -9: $(cat $SYS/outdated_watchers)" # a log line, no check
    kill -9 $HPID
    wait $RPID || check 1 "Faults wait-release exited $?"
    cat /tmp/release.out
else
    check 1 "the holder JVM did not start"; cat /tmp/hold.out; kill -9 $HPID
fi
wait $HPID 2>/dev/null
cat /tmp/hold.out | sed 's/^/hold: /'

echo "-- ulimit -n 64: the subscriber past the limit fails with FileLimitException, the others carry on"
( ulimit -n 64; exec $J -XX:-MaxFDLimit dev.sysgenid.e2e.Faults fdlimit ) || check 1 "Faults fdlimit exited $?"

echo "-- /dev/sysgenid as udev would set it up: group sysgenid, mode 0664"
udev_like
runas 65534 65534 $J dev.sysgenid.e2e.Faults no-permission || check 1 "Faults no-permission exited $?"
runas 65534 65534,990 $J dev.sysgenid.e2e.Faults no-capability || check 1 "Faults no-capability exited $?"
dmesg_clean "dmesg is clean after the faults"
