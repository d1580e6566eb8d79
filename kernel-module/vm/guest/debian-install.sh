# Guest side of `run debian`, boot 1 (Debian 12, systemd, its 6.1 kernel): step 1, the package
# installed as a person would ("apt install ./sysgenid-dkms_*.deb": DKMS builds the module
# against the installed headers); the service of step 3 and the overseer's restore unit written as a
# person writes them, the service enabled so that systemd starts it at the next boot by itself;
# then a reboot (sgvm-guest reboots when /run/sgvm/reboot exists).
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
files="/lib/udev/rules.d/60-sysgenid.rules /usr/lib/modules-load.d/sysgenid.conf /usr/include/sysgenid/sysgenid.h"
ls -l $files
ls $files > /dev/null && grep -qx sysgenid /usr/lib/modules-load.d/sysgenid.conf \
    && grep -qx 'SUBSYSTEM=="misc", KERNEL=="sysgenid", GROUP="sysgenid", MODE="0664", TAG+="systemd"' /lib/udev/rules.d/60-sysgenid.rules
check $? "step 1: the package installed the udev rule, the modules-load.d entry and the uapi header: $files"
gid=$(getent group sysgenid | cut -d: -f3)
[ -n "$gid" ] && [ "$gid" -lt 1000 ]
check $? "step 1: the system group sysgenid exists (gid ${gid:-none})"
printf '#include <sysgenid/sysgenid.h>\nint main(void) { return SYSGENID_TRIGGER_GEN_UPDATE == 0; }\n' > /tmp/uapi.c
gcc -Wall -Werror -o /tmp/uapi /tmp/uapi.c && /tmp/uapi
check $? "step 1: a C program built against <sysgenid/sysgenid.h> compiles and runs"
# step 3's units (kernel-module/README.md, "Installing"): the service waits for the node udev set up
# (dev-sysgenid.device, from the rule's TAG+="systemd"), not for systemd-modules-load alone, which
# would let it open the node before udev gave it the group (EACCES); it is enabled now and started
# by systemd at boot 2, where the test checks it came up without a restart
useradd --system --no-create-home --shell /usr/sbin/nologin sgapp
useradd --system --no-create-home --shell /usr/sbin/nologin sgops
cat > /etc/systemd/system/sgapp.service <<UNIT
[Unit]
Description=snapshot-safe WebFlux sample (sysgenid)
Requires=dev-sysgenid.device
After=dev-sysgenid.device
RequiresMountsFor=/data

[Service]
User=sgapp
SupplementaryGroups=sysgenid
ExecStart=$JAVA $JAVA_OPTS -jar /data/files/sysgenid-webflux-app.jar --sysgenid.device=/dev/sysgenid --server.port=8080
Restart=on-failure

[Install]
WantedBy=multi-user.target
UNIT
cat > /etc/systemd/system/sysgenid-restore.service <<UNIT
[Unit]
Description=after a restore: move the generation and wait until every tracked watcher acknowledged
Requires=dev-sysgenid.device
After=dev-sysgenid.device

[Service]
Type=oneshot
User=sgops
SupplementaryGroups=sysgenid
AmbientCapabilities=CAP_CHECKPOINT_RESTORE
CapabilityBoundingSet=CAP_CHECKPOINT_RESTORE
ExecStart=$JAVA $JAVA_OPTS -jar /data/files/sysgenid-overseer-all.jar restore-cycle --timeout 60s
UNIT
systemctl daemon-reload && systemctl enable sgapp.service > /tmp/en.out 2>&1 && systemctl -q is-enabled sgapp.service
check $? "step 3: sgapp.service (Requires=/After=dev-sysgenid.device, Restart=on-failure) written and enabled for the next boot: $(one /tmp/en.out)"
touch /run/sgvm/reboot
