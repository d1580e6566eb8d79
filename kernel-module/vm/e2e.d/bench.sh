# e2e.d/bench.sh - guest side of kernel-module/vm/bench: the same C overseer
# (sgbench overseer: TRIGGER, then WAIT_WATCHERS) measures the C baseline
# (sgbench sub) and the Java stack (BenchSubscribers sub: core EpollLoop, and reactor-adapter Flux) for N subscribers;
# then the Java stack's idle CPU and heap per subscription. Raw data lines:
#   OV <c|java|flux> N GEN T0_NS WAIT_NS     SUB <c|java> N GEN T_NS     IDLE ...  HEAP ...
ulimit -n 4096
echo "ulimit -n: $(ulimit -n)"
CP=$(ls $SG_JARS/*.jar | grep -v junit-platform-console-standalone | tr '\n' : )
# The JVM runs as in production (tiered compilation up to C2), not with the tests' fast-start
# C1-only $JAVA_OPTS; SG_BENCH_JAVA_OPTS adds to it.
BENCH_JAVA_OPTS="-XX:-UsePerfData -Xshare:auto"
J="$JAVA $BENCH_JAVA_OPTS ${SG_BENCH_JAVA_OPTS:-} -cp $CP"
REPS=${SG_BENCH_REPS:-30}
WARMUP=${SG_BENCH_WARMUP:-200}
wait_line() {
    n=0
    while ! grep -q "$2" "$1" 2>/dev/null; do
        n=$((n + 1)); [ $n -gt $(($3 * 10)) ] && return 1; sleep 0.1
    done
}
rc=0
# A JVM that crashed leaves hs_err_pid*.log in its working directory: print the useful part.
dump_crash() {
    for f in /tmp/hs_err_pid*.log; do
        [ -e "$f" ] || continue
        echo "FAILED $1: the JVM crashed ($f)"; rc=1
        sed -n '1,40p;/^Current thread/,+2p;/^Stack:/,/^$/p;/^Native frames/,/^$/p;/^Java frames/,/^$/p;/^siginfo/p;/^Registers:/,+10p' "$f"
        rm -f "$f"
    done
}
for N in ${SG_BENCH_NS:-1 100 1000}; do
    for impl in ${SG_BENCH_IMPLS:-c java flux}; do
        rm -f /tmp/sub.out /tmp/sub.dat /tmp/ov.dat
        if [ $impl = c ]; then
            sgbench sub $N /tmp/sub.dat > /tmp/sub.out 2>&1 &
        else
            mode=${SG_BENCH_JAVA_MODE:-direct}; [ $impl = flux ] && mode=flux
            $J dev.sysgenid.e2e.BenchSubscribers sub $N /tmp/sub.dat $mode > /tmp/sub.out 2>&1 &
        fi
        SPID=$!
        if ! wait_line /tmp/sub.out '^SUB-READY' 120; then
            echo "FAILED $impl $N: subscriber did not start"; cat /tmp/sub.out; kill -9 $SPID; rc=1
            dump_crash "$impl $N"; continue
        fi
        sleep 1
        if ! sgbench overseer $REPS $WARMUP $N /tmp/ov.dat; then
            echo "FAILED $impl $N: overseer"; rc=1
        fi
        kill -TERM $SPID; wait $SPID
        cat /tmp/sub.out
        dump_crash "$impl $N" 
        sed "s/^/OV $impl $N /" /tmp/ov.dat
        sed "s/^/SUB $impl $N /" /tmp/sub.dat
        echo "DONE $impl $N"
    done
done
$J dev.sysgenid.e2e.BenchSubscribers idle 1000 ${SG_BENCH_IDLE_S:-30} || rc=1
$J dev.sysgenid.e2e.BenchSubscribers heap 1000 || rc=1
exit $rc
