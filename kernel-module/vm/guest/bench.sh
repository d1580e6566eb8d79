# Guest side of `run bench`: the same C overseer (sgbench overseer: TRIGGER, then WAIT_WATCHERS)
# measures the C baseline (sgbench sub) and the Java stack (BenchSubscribers sub: core EpollLoop,
# and reactor-adapter Flux) for N subscribers; then the Java stack's idle CPU and heap per
# subscription. Data lines: "DATA ov|ove IMPL N GEN T0_NS WAIT_NS" (ove: early, see WARMUP),
# "DATA sub IMPL N GEN T_NS", "DATA idle ...", "DATA heap ...", "DATA crash IMPL N".
# $JAVA_OPTS are the production options (tiered up to C2), decided on the host.
ulimit -n 4096
echo "ulimit -n: $(ulimit -n)"
data jdk "$($JAVA -version 2>&1 | head -1)"
J="$JAVA $JAVA_OPTS $SGVM_BENCH_JAVA_OPTS -cp $CP"
# The measured subscriber JVM also lists its JIT compilations, on stderr (/tmp/jit.out): see jit_report.
JIT_LOG="-XX:+PrintCompilation -XX:+DisplayVMOutputToStderr"
data jitlog "$JIT_LOG"
# SGVM_BENCH_PROFILE=1: the measured subscriber JVMs also run under async-profiler (the host put its
# agent in /data/files, the libraries it links beside the JRE's): CPU time of every thread,
# sampled every millisecond (at 100 us its signals alone slowed the JVM for minutes under TCG),
# stacks with the thread's name, printed after each measurement as "DATA prof IMPL N COUNT STACK"
# (the thread's id dropped, so that threads of one role add up across rounds).
PROF=""
if [ "$SGVM_BENCH_PROFILE" = 1 ]; then
    PROF="-agentpath:/data/files/libasyncProfiler.so=start,event=itimer,interval=1ms,threads,collapsed,file=/tmp/prof.txt"
    data profiler "$PROF"
fi
REPS=$SGVM_BENCH_REPS
# The subscriber (C or JVM) runs on vCPU $SUB_CPU, the overseer on vCPU $OV_CPU: the same
# placement for both, and every JVM thread on one vCPU (see docs/benchmarks.md: under
# multi-threaded TCG, HotSpot patching a method entry on one vCPU while another executes it
# crashed the JVM; and the host pins vCPU k to host core k).
SUB_CPU=$SGVM_BENCH_SUB_CPU
OV_CPU=$SGVM_BENCH_OVERSEER_CPU
# Warm-up: WARMUP_CHANGES changes before the measured ones, so that every row is measured with
# the path compiled by C2. Much of the path (the loop's turn, the hand-off to a worker, the
# acknowledgement) runs once per change whatever N is, and C2 takes a method only after
# Tier4InvocationThreshold = 5000 calls (JDK 17 and 25; more while its queue is long): 3000
# listener calls, the old rule, left N = 1 measured in C1's profiling code, 2.6-10x slower per hop
# (docs/benchmarks.md, "The warm-up"). jit_report says whether it worked. The overseer pauses
# 1 ms between warm-up changes, then 2 s, then 20 ms between measured ones. C gets the same
# warm-up (no JIT, but the same history of the device and the kernel). The first REPS changes
# after the first WARMUP are measured too, paced as before (20 ms): the "early" row.
WARMUP=$SGVM_BENCH_WARMUP
WARMUP_CHANGES=$SGVM_BENCH_WARMUP_CHANGES
rc=0
# A JVM that crashed leaves hs_err_pid*.log in its working directory: print the useful part.
# Returns 0 if there was one.
dump_crash() {
    found=1
    for f in /tmp/hs_err_pid*.log; do
        [ -e "$f" ] || continue
        found=0
        data crash $1; echo "the JVM crashed ($f)"
        sed -n -e '1,40p;/^Current thread/,+2p;/^Stack:/,/^$/p;/^Native frames/,/^$/p;/^Java frames/,/^$/p' \
            -e '/^siginfo/p;/^Registers:/,+10p' "$f"
        rm -f "$f"
    done
    return $found
}
# The JIT's compilations of one Java measurement, from -XX:+PrintCompilation (a line when a
# compilation STARTS, timestamps in ms of the JVM's uptime, mapped to CLOCK_MONOTONIC by the
# uptime and nanoTime that SUB-READY reports). The window is the measured repetitions (first
# TRIGGER to last WAIT_WATCHERS return) and the 2 s before them (the overseer's settle pause: a
# compilation started then may still run into the repetitions). Prints "DATA jit IMPL N during
# LEVEL METHOD [osr|deopt]" for each compilation or deoptimisation in the window, and "DATA jit
# IMPL N turn-c2-before 0|1": whether, before the window, C2 had compiled the loop's turn
# (EpollLoop::waitAndDispatch, run once per change; its normal entry, not an OSR compilation) and
# not deoptimised it since. Skipped compilations are not compilations.
jit_report() {
    awk -v impl=$1 -v n=$2 -v ready="$(grep -m1 '^SUB-READY' /tmp/sub.out)" '
        FNR == NR { if (w0 == "") w0 = $2 - 2e9; w1 = $2 + $3; next }   # ov.dat: GEN T0_NS WAIT_NS
        FNR == 1 { split(ready, f, /[ =]/); for (k in f) { if (f[k] == "uptime_ms") up = f[k + 1]
                                                          if (f[k] == "nanotime") nano = f[k + 1] } }
        /^ *[0-9]+ +[0-9]+ / && !/COMPILE SKIPPED|made not compilable/ {
            lvl = -1; m = ""; osr = ""
            for (i = 3; i <= NF; i++) {   # flags (one character each), then the level, then the method
                if ($i ~ /^[%sb!n]$/) { if ($i == "%") osr = " osr"; continue }
                if ($i ~ /^[0-4]$/) { lvl = $i; m = $(i + 1) } else m = $i
                break
            }
            t = nano + ($1 - up) * 1e6
            deopt = /made not entrant/ ? " deopt" : ""
            if (t >= w0 && t <= w1) printf "DATA jit %s %s during %d %s%s%s\n", impl, n, lvl, m, osr, deopt
            else if (t < w0 && lvl == 4 && osr == "" && m ~ /EpollLoop::waitAndDispatch$/) turn = deopt == ""
        }
        END { printf "DATA jit %s %s turn-c2-before %d\n", impl, n, turn }' /tmp/ov.dat /tmp/jit.out
}
# One measurement of IMPL with N subscribers: prints its OV and SUB lines only if the
# subscriber lived through it. Returns 0 if measured, 2 if the JVM crashed, 1 otherwise.
measure() {
    impl=$1 N=$2
    rm -f /tmp/sub.out /tmp/sub.dat /tmp/ov.dat /tmp/jit.out /tmp/hs_err_pid*.log /tmp/prof.txt
    if [ $impl = c ]; then
        taskset -c $SUB_CPU sgbench sub $N /tmp/sub.dat > /tmp/sub.out 2>&1 &
    else
        mode=$SGVM_BENCH_JAVA_MODE; [ $impl = flux ] && mode=flux
        taskset -c $SUB_CPU $J $JIT_LOG $PROF dev.sysgenid.e2e.BenchSubscribers sub $N /tmp/sub.dat $mode \
            > /tmp/sub.out 2> /tmp/jit.out &
    fi
    SPID=$!
    if ! wait_line /tmp/sub.out '^SUB-READY' 120; then
        echo "FAILED $impl $N: subscriber did not start"; cat /tmp/sub.out /tmp/jit.out 2>/dev/null
        kill -9 $SPID; wait $SPID
        dump_crash "$impl $N" && return 2
        return 1
    fi
    sleep 1
    ok=0
    warm=$WARMUP_CHANGES; [ $warm -lt $WARMUP ] && warm=$WARMUP
    rm -f /tmp/ov-early.dat
    if [ $warm -ge $((WARMUP + 2 * REPS)) ]; then
        taskset -c $OV_CPU sgbench overseer $REPS $WARMUP $N /tmp/ov-early.dat \
            || { echo "FAILED $impl $N: overseer"; ok=1; }
        warm=$((warm - WARMUP - REPS))
    fi
    taskset -c $OV_CPU sgbench overseer $REPS $warm $N /tmp/ov.dat 1 || { echo "FAILED $impl $N: overseer"; ok=1; }
    # A subscriber that died meanwhile closed its fds: WAIT_WATCHERS then returns at once,
    # so its times mean nothing.
    kill -0 $SPID 2>/dev/null || { echo "FAILED $impl $N: the subscriber died during the run"; ok=1; }
    kill -TERM $SPID 2>/dev/null; wait $SPID
    cat /tmp/sub.out
    [ -e /tmp/jit.out ] && grep -v -E '^ *[0-9]+ +[0-9]+ ' /tmp/jit.out
    dump_crash "$impl $N" && return 2
    [ $ok = 0 ] || return 1
    [ $impl = c ] || [ ! -s /tmp/ov.dat ] || jit_report $impl $N
    sed "s/^/DATA ov $impl $N /" /tmp/ov.dat
    [ -e /tmp/ov-early.dat ] && sed "s/^/DATA ove $impl $N /" /tmp/ov-early.dat
    sed "s/^/DATA sub $impl $N /" /tmp/sub.dat; r=$?
    # collapsed stacks end with their count: "DATA prof IMPL N COUNT STACK"
    [ -s /tmp/prof.txt ] && sed -E -e "s/ tid=[0-9]+\]/]/" -e "s/^(.*) ([0-9]+)\$/DATA prof $impl $N \2 \1/" /tmp/prof.txt
    return $r
}
# Rounds: every (N, implementation) is measured once per round, so a slow spell of the host
# falls on C and Java alike; the rows pool the rounds.
for round in $(seq $SGVM_BENCH_ROUNDS); do
for N in $SGVM_BENCH_NS; do
    for impl in $SGVM_BENCH_IMPLS; do
        try=1
        while :; do
            measure $impl $N; r=$?
            [ $r = 0 ] && { check 0 "$impl, N = $N: measured (round $round, try $try)"; break; }
            if [ $r = 2 ] && [ $try -lt $SGVM_BENCH_TRIES ]; then
                try=$((try + 1)); echo "RETRY $impl $N (try $try)"; continue
            fi
            check 1 "$impl, N = $N: no measurement (round $round, $try tries)"; rc=1; break
        done
    done
done
done
taskset -c $SUB_CPU $J dev.sysgenid.e2e.BenchSubscribers idle 1000 $SGVM_BENCH_IDLE_S
check $? "idle: 1000 registrations measured for $SGVM_BENCH_IDLE_S s"
# G1 as on a multi-core server (one vCPU would make the JVM choose Serial, whose used-heap
# figures after System.gc() gave 30 bytes per registration against 209 with G1).
taskset -c $SUB_CPU $J -XX:+UseG1GC dev.sysgenid.e2e.BenchSubscribers heap 1000
check $? "heap: bytes per registration and per Flux subscription measured"
dump_crash "idle/heap"
check $((1 - $?)) "no JVM crash in idle/heap"
exit $rc
