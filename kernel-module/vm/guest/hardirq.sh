# Guest side of `run selftest hardirq`: the test-only build of the module (sysgenid_test.h) calls
# the VM-fork notifier from hard-IRQ context (an hrtimer) $SGVM_HARDIRQ_SHOTS times; the counter
# must move and, on the debug kernel, nothing may splat. With $SGVM_HARDIRQ_KO a deliberately
# broken build (sysgenid_test2.ko: the old callback that takes the mutex there), the script
# instead waits for the kernel's "sleeping function called from invalid context" report.
P=/sys/module/sysgenid/parameters/vmfork_from_hardirq
kmemleak_clear
step "rmmod the shipped sysgenid.ko" rmmod sysgenid
step "insmod $SGVM_HARDIRQ_KO (test-only build)" insmod /data/bin/$SGVM_HARDIRQ_KO
g0=$(cat $SYS/generation)
echo "backend=$(cat $SYS/backend) generation=$g0"
step "write $SGVM_HARDIRQ_SHOTS to $P" sh -c "echo $SGVM_HARDIRQ_SHOTS > $P"
# done when every shot fired (the parameter reads 0 again) and the counter moved
fired() { [ "$(cat $P)" = 0 ] && [ "$(cat $SYS/generation)" != "$g0" ]; }
n=0
while ! fired && [ $n -lt 200 ]; do sleep 0.1; n=$((n + 1)); done
g1=$(cat $SYS/generation)
check $(fired; echo $?) "the notifier ran $SGVM_HARDIRQ_SHOTS times in hard IRQ and the counter moved ($g0 -> $g1, at most $SGVM_HARDIRQ_SHOTS bumps: $((g1 - g0)))"
check $([ $((g1 - g0)) -ge 1 ] && [ $((g1 - g0)) -le "$SGVM_HARDIRQ_SHOTS" ]; echo $?) "one bump per notification at most ($((g1 - g0)) for $SGVM_HARDIRQ_SHOTS)"
# Shots 10 ms apart: most of them bump on their own. More than 10 bumps proves that a bump does
# not depend on a rate-limited printk (10 messages in 5 s): pr_info_ratelimited("%u", bump())
# skips its arguments once limited, and the counter then stops at 10.
if [ "$SGVM_HARDIRQ_SHOTS" -ge 20 ]; then
    check $([ $((g1 - g0)) -gt 10 ]; echo $?) "more bumps than the log's rate limit allows in 5 s ($((g1 - g0)) > 10): a bump never waits for printk"
fi
if [ "$SGVM_HARDIRQ_EXPECT" = splat ]; then
    n=0
    while ! dmesg | grep -q "sleeping function called from invalid context" && [ $n -lt 100 ]; do
        sleep 0.1; n=$((n + 1))
    done
    dmesg | grep -A3 "sleeping function called from invalid context" | head -n 8
    check $(dmesg | grep -q "sleeping function called from invalid context"; echo $?) \
        "the broken callback makes the kernel report: sleeping function called from invalid context"
else
    step "rmmod the test build" rmmod sysgenid
    # rmmod while notifications are in flight: the timer fires every 10 ms and each shot queues
    # the bump's work item. Exit must stop the timer, then unregister the notifier and wait for
    # the work item, before the module's memory goes; else a shot or a bump runs in freed memory
    # (the debug kernel's KASAN reports it; any kernel oopses once the text is unmapped).
    step "insmod $SGVM_HARDIRQ_KO (to unload with notifications in flight)" insmod /data/bin/$SGVM_HARDIRQ_KO
    g0=$(cat $SYS/generation)
    step "write 1000 to $P (10 s of shots)" sh -c "echo 1000 > $P"
    n=0
    while [ $(($(cat $SYS/generation) - g0)) -lt 3 ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
    g1=$(cat $SYS/generation)
    left=$(cat $P)
    check $([ $((g1 - g0)) -ge 3 ] && [ "$left" -gt 0 ]; echo $?) \
        "notifications in flight before rmmod: $((g1 - g0)) bumps done (want 3 or more), $left shots still to fire (want some)"
    step "rmmod while the shots fire" rmmod sysgenid
    check $([ ! -e /sys/module/sysgenid ] && [ ! -e /dev/sysgenid ]; echo $?) \
        "after rmmod with notifications in flight: no module and no /dev/sysgenid left"
    # the same build loaded as if the kernel had no VM-fork notification (a kernel without
    # CONFIG_VMGENID): backend "none", and a warning because QEMU's vmgenid device is there
    step "insmod $SGVM_HARDIRQ_KO no_backend=1" insmod /data/bin/$SGVM_HARDIRQ_KO no_backend=1
    check $([ "$(cat $SYS/backend)" = none ]; echo $?) "no backend: sysfs backend says '$(cat $SYS/backend)' (want none)"
    dmesg | grep "VM Generation ID device exists"
    check $(dmesg | grep -q "VM Generation ID device exists but"; echo $?) \
        "no backend: the module warns that a VM Generation ID device exists but restores will not move the counter"
    step "rmmod the test build (no backend)" rmmod sysgenid
    # rmmod cancels the timer before the parameter's file goes: a write in that window must be
    # refused, or it starts the timer again, into the module's freed memory (exit_delay_ms holds
    # the window open)
    step "insmod $SGVM_HARDIRQ_KO exit_delay_ms=3000" insmod /data/bin/$SGVM_HARDIRQ_KO exit_delay_ms=3000
    rmmod sysgenid & rm_pid=$!
    n=0
    while [ "$(cat /sys/module/sysgenid/initstate 2>/dev/null)" != going ] && [ $n -lt 100 ]; do
        sleep 0.05; n=$((n + 1))
    done
    st=$(cat /sys/module/sysgenid/initstate 2>/dev/null)
    sh -c "echo 1 > $P" 2>/dev/null; w=$?
    check $([ "$st" = going ] && [ $w -ne 0 ]; echo $?) \
        "rmmod under way (module $st): a write to vmfork_from_hardirq is refused (write status $w, want non-zero)"
    wait $rm_pid
    check $? "rmmod with the delayed exit finished"
    # init failing at its last step (fail_init): the node must not exist while init still runs,
    # and nothing may be left after the failed insmod (the device, the backend, memory)
    insmod /data/bin/$SGVM_HARDIRQ_KO fail_init=1 > /tmp/insmod.out 2>&1 &
    ipid=$!
    n=0
    while ! dmesg | grep -q "test: init fails once 1 is written" && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
    check $(dmesg | grep -q "test: init fails once 1 is written"; echo $?) "fail_init: init reached its last step"
    ls -l /dev/sysgenid $SYS 2>&1
    check $([ ! -e /dev/sysgenid ] && [ ! -e $SYS ] && ! grep -q sysgenid /proc/misc; echo $?) \
        "fail_init: while init runs its last step, no /dev/sysgenid and no misc device (registered last)"
    echo 1 > /sys/module/sysgenid/parameters/fail_init_now
    wait $ipid
    rc=$?
    cat /tmp/insmod.out
    check $([ $rc != 0 ]; echo $?) "fail_init: insmod fails (status $rc)"
    check $([ ! -e /dev/sysgenid ] && [ ! -e $SYS ] && [ ! -e /sys/module/sysgenid ] && ! grep -q sysgenid /proc/misc; \
        echo $?) "fail_init: after the failed insmod no /dev/sysgenid, misc device or module is left"
    step "insmod $SGVM_HARDIRQ_KO after the failed one (nothing left registered)" insmod /data/bin/$SGVM_HARDIRQ_KO
    check $([ -c /dev/sysgenid ] && [ "$(cat $SYS/backend)" = "$SGVM_EXPECT_BACKEND" ]; echo $?) \
        "after the failed insmod: a new load gets /dev/sysgenid and the $SGVM_EXPECT_BACKEND backend"
    step "rmmod the test build (after fail_init)" rmmod sysgenid
    # a value given at insmod reaches the parameter's set op from parse_args, before init ran
    # (sysgenid_test_init has not initialised the timer yet): it must be refused, not start a
    # zeroed hrtimer (NULL base: an oops in insmod)
    insmod /data/bin/$SGVM_HARDIRQ_KO vmfork_from_hardirq=1 > /tmp/insmod2.out 2>&1
    rc=$?
    cat /tmp/insmod2.out
    check $([ $rc != 0 ] && [ ! -e /sys/module/sysgenid ]; echo $?) \
        "insmod with vmfork_from_hardirq=1 (before init) is refused (status $rc) and leaves no module"
    kmemleak_scan "kmemleak: no leak after the hard-IRQ notifications and rmmod"
    dmesg_clean "dmesg has no WARN/BUG/lockdep lines after the hard-IRQ notifications"
fi
