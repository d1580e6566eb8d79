# Guest side of `run debian`, boot 4 (the 6.12 kernel DKMS built the module for): the module is
# there and works; then step 5: apt remove leaves no module, no rule, no device; purge removes
# the group once it is empty.
settled
SYS=/sys/class/misc/sysgenid
mode=$(stat -c '%U:%G %a' /dev/sysgenid 2>&1)
[ "$(uname -r)" = "$SGVM_EXPECT_KERNEL" ] && [ -d /sys/module/sysgenid ] && [ "$mode" = "root:sysgenid 664" ] \
    && [ "$(cat $SYS/backend)" = vmfork ]
check $? "6.12: booted $(uname -r), sysgenid loaded at boot, /dev/sysgenid $mode, backend $(cat $SYS/backend)"
gen=$(cat $SYS/generation)
runuser -u alice -- /data/bin/sgaccess track > /tmp/a.out 2>&1 && sgaccess trigger >> /tmp/a.out 2>&1 \
    && [ "$(cat $SYS/generation)" = $((gen + 1)) ]
check $? "6.12: alice tracks and acknowledges, root triggers ($gen -> $(cat $SYS/generation)): $(one /tmp/a.out)"
t0=$(uptime_s)
DEBIAN_FRONTEND=noninteractive apt remove -y sysgenid-dkms > /tmp/apt.out 2>&1; rc=$?
cat /tmp/apt.out
check $rc "step 5: apt remove -y sysgenid-dkms: exit $rc, $(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }') s"
left=$(find /lib/modules /usr/lib/modules -name 'sysgenid.ko*' 2>/dev/null; ls -d /sys/module/sysgenid /dev/sysgenid \
    /lib/udev/rules.d/60-sysgenid.rules /usr/lib/modules-load.d/sysgenid.conf /usr/src/sysgenid-* 2>/dev/null; \
    dkms status sysgenid 2>/dev/null)
[ -z "$left" ]
check $? "step 5: after apt remove no module (loaded or on disk, any kernel), no udev rule, no modules-load entry, no device, no DKMS tree: ${left:-nothing left}"
getent group sysgenid > /dev/null
check $? "step 5: remove keeps the group sysgenid (purge removes it)"
gpasswd -d alice sysgenid
DEBIAN_FRONTEND=noninteractive apt purge -y sysgenid-dkms > /tmp/apt.out 2>&1; rc=$?
cat /tmp/apt.out
[ $rc = 0 ] && ! getent group sysgenid
check $? "step 5: once alice left it, apt purge -y sysgenid-dkms removes the group sysgenid (exit $rc)"
