# e2e.d/prng.sh - guest side of kernel-module/vm/e2e, the PRNG clone demo (the logic of
# samples/prng-reseeder/clone-demo, all variants in one snapshot): one JVM per variant runs
# CloneDemo (DRBG, SHA1PRNG, default SecureRandom, UUID.randomUUID(), a fixed-seed
# SnapshotSafeSplittableRandom) and blocks on the device; a fifth runs a plain fixed-seed
# java.util.SplittableRandom (e2e-apps SeededSplittable). When all five wait, the script
# prints PRNG-READY; the host snapshots the guest there and restores it twice with new guids.
# Each clone prints "prng VARIANT clone-demo after|fresh KEY VALUE" lines (fresh: generators and
# the first UUID made only after the change was observed); the host compares them.
#   none:       SUN's generators (no provider)            - the problem
#   properties: -Djava.security.properties=snapshot-safe.security
#   agent:      -javaagent:sysgenid-prng-reseeder-all.jar
#   inline:     properties route with sysgenid.prng.eager=false (no subscriber: only the
#               in-line check on each call)
JAR=$SG_FILES/sysgenid-prng-reseeder-all.jar
SEC=-Djava.security.properties=$SG_FILES/snapshot-safe.security
CP=$(ls $SG_JARS/*.jar | grep -v junit-platform-console-standalone | tr '\n' : )
DEMO="dev.sysgenid.samples.prng.CloneDemo --timeout 600 --marker"
$JAVA $JAVA_OPTS -cp $JAR $DEMO READY-none > /tmp/prng-none.out 2>&1 &
PIDS="$PIDS $!"
$JAVA $JAVA_OPTS $SEC -cp $JAR $DEMO READY-properties > /tmp/prng-properties.out 2>&1 &
PIDS="$PIDS $!"
$JAVA $JAVA_OPTS -javaagent:$JAR -cp $JAR $DEMO READY-agent > /tmp/prng-agent.out 2>&1 &
PIDS="$PIDS $!"
$JAVA $JAVA_OPTS $SEC -Dsysgenid.prng.eager=false -cp $JAR $DEMO READY-inline > /tmp/prng-inline.out 2>&1 &
PIDS="$PIDS $!"
$JAVA $JAVA_OPTS -cp $CP dev.sysgenid.e2e.SeededSplittable READY-plain > /tmp/prng-plain.out 2>&1 &
PIDS="$PIDS $!"
n=0
for v in none properties agent inline plain; do
    while ! grep -q "^READY-$v\$" /tmp/prng-$v.out 2>/dev/null; do
        n=$((n + 1))
        if [ $n -gt 1200 ]; then echo "PRNG-NOT-READY $v"; cat /tmp/prng-$v.out; exit 1; fi
        sleep 0.1
    done
done
for v in none properties agent inline plain; do sed "s/^/prng $v /" /tmp/prng-$v.out; done
echo PRNG-READY
rc=0
for p in $PIDS; do wait $p || rc=1; done
# the clone's own output starts at its restore: the whole files, "after" lines included
for v in none properties agent inline plain; do sed "s/^/prng $v /" /tmp/prng-$v.out; done
echo "PRNG-EXIT $rc"
exit $rc
