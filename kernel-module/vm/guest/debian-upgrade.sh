# Guest side of `run debian`, boot 3 (6.1, on clone 1's disk): the 6.12 kernel from
# bookworm-security installed offline from the .debs the root carries; DKMS builds the module for
# it on the kernel's own install hooks. Then sgvm-guest hands the 6.12 kernel to the host and reboots.
settled
# step 3's service (enabled at boot 1, started at every boot) is not part of this step, nor of
# boot 4's remove (it would hold /dev/sysgenid open): stopped and disabled as its owner would
systemctl disable --now sgapp.service 2>&1
v=$(sed 's/^linux-image-//' /opt/sgvm/debs/kernel-upgrade)
data upgrade-kernel "$v"
t0=$(uptime_s)
DEBIAN_FRONTEND=noninteractive apt install -y /opt/sgvm/debs/*.deb > /tmp/apt.out 2>&1; rc=$?
secs=$(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }')
cat /tmp/apt.out
data apt-install-seconds "$secs"
data dkms-build-seconds "$(dkms_build_seconds "$v")"
check $rc "6.12: apt install of linux-image-$v and its headers (offline, /opt/sgvm/debs): exit $rc, $secs s"
dkms status sysgenid > /tmp/dkms.out 2>/dev/null
cat /tmp/dkms.out
ko=$(modinfo -k "$v" -n sysgenid 2>/dev/null)
magic=$(modinfo -k "$v" -F vermagic sysgenid 2>/dev/null)
grep -q "^sysgenid/[0-9.]*, $v, x86_64: installed" /tmp/dkms.out && [ -f /boot/initrd.img-$v ] \
    && case "$ko" in /lib/modules/$v/updates/dkms/sysgenid.ko*) true ;; *) false ;; esac && [ "${magic%% *}" = "$v" ]
check $? "6.12: DKMS rebuilt the module for $v on the kernel's install ($ko, vermagic ${magic%% *}): $(one /tmp/dkms.out)"
echo "$v" > /run/sgvm/next-kernel
