# e2e.d/boot1.sh - guest side of kernel-module/vm/e2e, boot 1 (runs as root in
# the busybox guest): core's real-device tests unchanged against /dev/sysgenid (the
# contract suite, the model-based tests with their fixed budget),
# reactor-adapter's subscription lifecycle, then the fault scenarios. Prints "CHECK ok|not-ok - text" lines for the host.
CP=$(ls $SG_JARS/*.jar | grep -v junit-platform-console-standalone | tr '\n' : )
J="$JAVA $JAVA_OPTS -cp $CP"
check() { if [ "$1" = 0 ]; then echo "CHECK ok - $2"; else echo "CHECK not-ok - $2"; fi; }
# wait_line FILE REGEX SECONDS
wait_line() {
    n=0
    while ! grep -q "$2" "$1" 2>/dev/null; do
        n=$((n + 1)); [ $n -gt $(($3 * 10)) ] && return 1; sleep 0.1
    done
}

echo "== core's real-device tests (every class tagged real-device in core's test-jar: RealDeviceContractTest, RealDeviceModelTest)"
TESTS_JAR=$(ls $SG_JARS/sysgenid-core-*-tests.jar)
$JAVA $JAVA_OPTS -jar $SG_JARS/junit-platform-console-standalone-1.14.4.jar execute \
    --class-path "$CP" --scan-class-path "$TESTS_JAR" --include-tag real-device --fail-if-no-tests \
    --config jqwik.database=/tmp/jqwik-database \
    --details=tree --disable-ansi-colors --disable-banner > /tmp/junit.out 2>&1
rc=$?
cat /tmp/junit.out
summary=$(grep -E '^\[ +[0-9]+ tests (successful|failed|skipped|aborted) +\]' /tmp/junit.out | tr -s ' ' | tr '\n' ' ')
aborted=$(grep -o '[A-Za-z]*() \[A\]' /tmp/junit.out | sed 's/ \[A\]//' | tr '\n' ' ')
check $rc "core's contract suite and model-based tests on the real device (JUnit console, exit $rc): $summary${aborted:+(aborted by assumption: $aborted- run as root; the faults below cover the unprivileged case)}"
grep -q 'RealDeviceContractTest' /tmp/junit.out; check $? "the console ran RealDeviceContractTest"
grep -q 'theDeviceAnswersAsTheModelAfterEveryStep' /tmp/junit.out; check $? "the console ran RealDeviceModelTest (jqwik engine on the class path)"
echo "JUNIT-SUMMARY $summary"
echo "dmesg after the contract suite: $(dmesg | grep -cE "$SG_DMESG_BAD") bad lines"

echo "== reactor-adapter lifecycle on the real device (dev.sysgenid.e2e.ReactorLifecycle: reactor-adapter has no real-device-tagged test class)"
$J dev.sysgenid.e2e.ReactorLifecycle

echo "== faults"
echo "-- a JVM with 5 tracked subscribers that never ack; kill -9 releases the overseer"
$J dev.sysgenid.e2e.Faults hold 5 > /tmp/hold.out 2>&1 &
HPID=$!
if wait_line /tmp/hold.out '^HOLDING' 60; then
    $J dev.sysgenid.e2e.Faults wait-timeout 5 1500
    wait_line /tmp/hold.out 'sub=4' 10
    got=$(grep -c '^GOT ' /tmp/hold.out)
    [ "$got" = 5 ]; check $? "each never-acking subscriber got the change once before the timeout ($got GOT lines)"
    $J dev.sysgenid.e2e.Faults wait-release 60 > /tmp/release.out 2>&1 &
    RPID=$!
    wait_line /tmp/release.out '^WAITING' 60
    sleep 1
    echo "outdated_watchers before kill -9: $(cat /sys/class/misc/sysgenid/outdated_watchers)"
    kill -9 $HPID
    wait $RPID
    cat /tmp/release.out
else
    check 1 "the holder JVM did not start"; cat /tmp/hold.out; kill -9 $HPID
fi
wait $HPID 2>/dev/null
cat /tmp/hold.out | sed 's/^/hold: /'

echo "-- ulimit -n 64: the subscriber past the limit fails with FileLimitException, the others carry on"
( ulimit -n 64; exec $J -XX:-MaxFDLimit dev.sysgenid.e2e.Faults fdlimit )

echo "-- /dev/sysgenid as udev would set it up: group sysgenid, mode 0660"
echo "sysgenid:x:990:" >> /etc/group
echo "nogroup:x:65534:" >> /etc/group
echo "nobody:x:65534:65534:nobody:/tmp:/bin/sh" >> /etc/passwd
chgrp sysgenid /dev/sysgenid && chmod 0660 /dev/sysgenid
ls -l /dev/sysgenid
runas 65534 65534 $J dev.sysgenid.e2e.Faults no-permission
runas 65534 65534,990 $J dev.sysgenid.e2e.Faults no-capability
dmesg | grep -E "$SG_DMESG_BAD" && check 1 "dmesg is clean" || check 0 "dmesg is clean after the faults"
exit 0
