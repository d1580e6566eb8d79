# Guest side of `run selftest fuzz`: sysgenid_fuzz runs in the background for
# $SGVM_FUZZ_RESTORE_SECONDS s while the host saves the running guest and restores it
# $SGVM_FUZZ_RESTORES times in a chain, each time with a new VM generation id: the script prints
# "FUZZ-RESTORE k" at even intervals of the run, then waits until the kernel reports the k+1-th
# VM fork. After the last restore the fuzzer must end cleanly (no crash, no unexpected result,
# the sysfs counts back to their start values), every restore must have bumped the counter,
# rmmod must succeed, kmemleak (where the kernel has it) and dmesg must be clean.
kmemleak_clear
forks() { dmesg | grep -c 'crng reseeded due to virtual machine fork'; }
bumps() { dmesg | grep -c 'sysgenid: VM fork notified'; }
n_restores=$SGVM_FUZZ_RESTORES
f0=$(forks)
b0=$(bumps)
echo "generation at start: $(cat $SYS/generation); VM forks logged before: $f0"
sysgenid_fuzz "$SGVM_FUZZ_SEED" "$SGVM_FUZZ_RESTORE_SECONDS" 2 3 > /tmp/fuzz.out 2>&1 &
fpid=$!
t0=$(cut -d. -f1 /proc/uptime)
k=0
while [ $k -lt "$n_restores" ]; do
    # pacing, not a wait for a result: restore k+1 at (k+1)/(n+1) of the fuzzer's run, counted
    # from its start (the time a restore takes in the guest is not added up)
    until=$((t0 + (k + 1) * SGVM_FUZZ_RESTORE_SECONDS / (n_restores + 1)))
    while [ "$(cut -d. -f1 /proc/uptime)" -lt $until ]; do sleep 1; done
    echo "generation before restore $((k + 1)): $(cat $SYS/generation)"
    echo "FUZZ-RESTORE $k"
    # the host saves this guest now and resumes a clone of it with a new guid
    n=0
    while [ "$(forks)" -le $((f0 + k)) ] && [ $n -lt $((SGVM_WATCH_TIMEOUT * 60)) ]; do
        sleep 0.5; n=$((n + 1))
    done
    k=$((k + 1))
    echo "restore $k: VM forks logged $(($(forks) - f0)), generation $(cat $SYS/generation)"
done
kill -0 $fpid 2>/dev/null
check $? "the fuzzer was still running after the last restore"
fuzz_done() { wait $fpid; rc=$?; cat /tmp/fuzz.out; return $rc; }
step "sysgenid_fuzz seed $SGVM_FUZZ_SEED, $SGVM_FUZZ_RESTORE_SECONDS s, 2 processes x 3 threads, $n_restores restores" \
    fuzz_done
check $([ $(($(forks) - f0)) = "$n_restores" ]; echo $?) \
    "the kernel saw $n_restores VM forks during the fuzzing ($(($(forks) - f0)) logged)"
dmesg | grep 'sysgenid: VM fork notified' | tail -n "$n_restores"
check $([ $(($(bumps) - b0)) = "$n_restores" ]; echo $?) \
    "sysgenid bumped the generation once per restore ($(($(bumps) - b0)) VM fork bumps for $n_restores restores)"
counts="$(cat $SYS/tracked_watchers) $(cat $SYS/outdated_watchers)"
check $([ "$counts" = "0 0" ]; echo $?) "tracked_watchers and outdated_watchers are 0 once the fuzzer is gone ($counts)"
step "rmmod sysgenid after the fuzzing" rmmod sysgenid
kmemleak_scan "kmemleak: no leak after the fuzzing across restores and rmmod"
dmesg_clean "dmesg has no WARN/BUG/lockdep lines after the fuzzing across restores"
