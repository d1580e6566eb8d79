# Guest side of `run debian`, boot 1 (Debian 12, systemd, its 6.1 kernel): step 1, the package
# installed as a person would ("apt install ./sysgenid-dkms_*.deb": DKMS builds the module
# against the installed headers), then a reboot (sgvm-guest reboots when /run/sgvm/reboot exists).
settled
data kernel "$(uname -r)"
cd /data/files
deb=$(ls sysgenid-dkms_*_all.deb)
t0=$(uptime_s)
DEBIAN_FRONTEND=noninteractive apt install -y "./$deb" > /tmp/apt.out 2>&1; rc=$?
secs=$(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }')
cat /tmp/apt.out
data apt-install-seconds "$secs"
data dkms-build-seconds "$(dkms_build_seconds $(uname -r))"
check $rc "step 1: apt install ./$deb: exit $rc, $secs s (the DKMS build included)"
cd /tmp
dkms status sysgenid > /tmp/dkms.out 2>/dev/null
ko=$(modinfo -n sysgenid 2>/dev/null)
grep -q "^sysgenid/[0-9.]*, $(uname -r), x86_64: installed" /tmp/dkms.out && case "$ko" in
    /lib/modules/$(uname -r)/updates/dkms/sysgenid.ko*) true ;; *) false ;; esac
check $? "step 1: DKMS built and installed the module for $(uname -r): $(one /tmp/dkms.out) ($ko)"
files="/lib/udev/rules.d/60-sysgenid.rules /usr/lib/modules-load.d/sysgenid.conf /usr/include/linux/sysgenid.h"
ls -l $files
ls $files > /dev/null && grep -qx sysgenid /usr/lib/modules-load.d/sysgenid.conf \
    && grep -q 'KERNEL=="sysgenid", GROUP="sysgenid", MODE="0664"' /lib/udev/rules.d/60-sysgenid.rules
check $? "step 1: the package installed the udev rule, the modules-load.d entry and the uapi header: $files"
gid=$(getent group sysgenid | cut -d: -f3)
[ -n "$gid" ] && [ "$gid" -lt 1000 ]
check $? "step 1: the system group sysgenid exists (gid ${gid:-none})"
printf '#include <linux/sysgenid.h>\nint main(void) { return SYSGENID_TRIGGER_GEN_UPDATE == 0; }\n' > /tmp/uapi.c
gcc -Wall -Werror -o /tmp/uapi /tmp/uapi.c && /tmp/uapi
check $? "step 1: a C program built against <linux/sysgenid.h> compiles and runs"
touch /run/sgvm/reboot
