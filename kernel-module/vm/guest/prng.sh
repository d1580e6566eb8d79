# Guest side of `run e2e prng`, the PRNG clone demo in one snapshot: one JVM per variant runs
# samples/prng-reseeder's CloneDemo (DRBG, SHA1PRNG, default SecureRandom, UUID.randomUUID(), a
# fixed-seed SnapshotSafeSplittableRandom) and blocks on the device; a fifth runs a plain
# fixed-seed java.util.SplittableRandom (SeededSplittable). When all five wait, the script prints
# SNAPSHOT-NOW; the host saves the guest there and restores it twice with new guids. Each
# program's lines become "DATA prng VARIANT LINE" (CloneDemo's "clone-demo PHASE KEY VALUE" as
# it prints them); the host compares every phase between the clones.
#   none:       SUN's generators (no provider)            - the problem
#   properties: -Djava.security.properties=snapshot-safe.security
#   agent:      -javaagent:sysgenid-prng-reseeder-all.jar
#   inline:     properties route with sysgenid.prng.eager=false (in-line check only)
JAR=/data/files/sysgenid-prng-reseeder-all.jar
SEC=-Djava.security.properties=/data/files/snapshot-safe.security
DEMO="dev.sysgenid.samples.prng.CloneDemo --timeout 600 --marker"
$JAVA $JAVA_OPTS -cp $JAR $DEMO READY-none > /tmp/prng-none.out 2>&1 &
PIDS="$PIDS $!"
$JAVA $JAVA_OPTS $SEC -cp $JAR $DEMO READY-properties > /tmp/prng-properties.out 2>&1 &
PIDS="$PIDS $!"
$JAVA $JAVA_OPTS -javaagent:$JAR -cp $JAR $DEMO READY-agent > /tmp/prng-agent.out 2>&1 &
PIDS="$PIDS $!"
$JAVA $JAVA_OPTS $SEC -Dsysgenid.prng.eager=false -cp $JAR $DEMO READY-inline > /tmp/prng-inline.out 2>&1 &
PIDS="$PIDS $!"
$J dev.sysgenid.e2e.SeededSplittable READY-plain > /tmp/prng-plain.out 2>&1 &
PIDS="$PIDS $!"
for v in none properties agent inline plain; do
    wait_line /tmp/prng-$v.out "^READY-$v\$" 120 || { check 1 "the $v JVM did not start"; cat /tmp/prng-$v.out; exit 1; }
done
for v in none properties agent inline plain; do sed "s/^/DATA prng $v /" /tmp/prng-$v.out; done
echo SNAPSHOT-NOW
rc=0
for p in $PIDS; do wait $p || rc=1; done
# the clone's own output starts at its restore: the whole files, "after" lines included
for v in none properties agent inline plain; do sed "s/^/DATA prng $v /" /tmp/prng-$v.out; done
data prng-exit $rc
exit $rc
