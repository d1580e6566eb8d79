#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kernel-module/tests/deb-scripts.sh ROOT_IMG DEB - the sysgenid-dkms package's maintainer scripts
# on dpkg's paths, in a throwaway chroot (review of issue 15): no udev, no systemd, a host kernel
# with no headers in the chroot, and modprobe that cannot unload anything, as in a container.
# ROOT_IMG: the harness's cached Debian 12 root (raw ext4, e.g. SGVM_KERNEL_CACHE/debian-*/root.img),
# mounted read-only under an overlay on a tmpfs, so it is never written. Needs root.
# Prints TAP; exits 1 when a check fails.
set -u
img=$1 deb=$2
m=$(mktemp -d)
r=$m/root
cleanup() {
	umount "$r/proc" 2> /dev/null; umount "$r" 2> /dev/null; umount "$m/t" 2> /dev/null
	umount "$m/lower" 2> /dev/null; rm -rf "$m"
}
trap cleanup EXIT
mkdir -p "$m/lower" "$m/t" "$r"
mount -o loop,ro,noload "$img" "$m/lower" && mount -t tmpfs tmpfs "$m/t" && mkdir "$m/t/up" "$m/t/work" &&
	mount -t overlay overlay -o "lowerdir=$m/lower,upperdir=$m/t/up,workdir=$m/t/work" "$r" &&
	mount -t proc proc "$r/proc" || { echo "deb-scripts: cannot mount $img" >&2; exit 2; }
cp "$deb" "$r/tmp/p.deb"
n=0 failed=0
check() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
in_root() { chroot "$r" sh -c "$1" > "$m/out" 2>&1; rc=$?; sed 's/^/# /' "$m/out"; return $rc; }
grp() { chroot "$r" getent group sysgenid; }

in_root 'dpkg -i /tmp/p.deb'
rc=$?; g1=$(grp); gid=$(echo "$g1" | cut -d: -f3)
check $([ $rc = 0 ] && [ -n "$gid" ] && [ "$gid" -lt 1000 ]; echo $?) "install in a chroot exits 0 and creates the system group: exit $rc, $g1"

in_root 'dpkg -i /tmp/p.deb'
rc=$?; g2=$(grp)
lines=$(chroot "$r" sh -c 'grep -c "^sysgenid:" /etc/group /etc/gshadow' | tr '\n' ' ')
check $([ $rc = 0 ] && [ "$g2" = "$g1" ] && [ "$lines" = "/etc/group:1 /etc/gshadow:1 " ]; echo $?) \
	"reinstall of the same version exits 0 and keeps the one group: exit $rc, $g2, $lines"

# remove while the module looks loaded but cannot be unloaded (a container: /sys/module shows it,
# modprobe -r fails)
mkdir -p "$r/sys/module/sysgenid"
in_root 'useradd -G sysgenid alice && dpkg -r sysgenid-dkms'
rc=$?
rmdir "$r/sys/module/sysgenid"
check $([ $rc = 0 ] && ! chroot "$r" dkms status sysgenid 2> /dev/null | grep -q .; echo $?) \
	"remove when modprobe -r fails exits 0 and removes the DKMS tree: exit $rc"
in_root 'dpkg -P sysgenid-dkms'
rc=$?
check $([ $rc = 0 ] && grp | grep -q ':alice$'; echo $?) "purge with a member in the group exits 0 and keeps it: exit $rc, $(grp)"

in_root 'gpasswd -d alice sysgenid; dpkg -i /tmp/p.deb && dpkg -P sysgenid-dkms'
rc=$?
check $([ $rc = 0 ] && [ -z "$(grp)" ]; echo $?) "purge removes the empty group the package created: exit $rc, group: $(grp)"

# a group the administrator made before the package (the README's manual steps say
# "groupadd --system sysgenid"): the package did not create it, so purge must leave it
in_root 'groupadd --system sysgenid && dpkg -i /tmp/p.deb && dpkg -P sysgenid-dkms'
rc=$?
check $([ $rc = 0 ] && [ -n "$(grp)" ]; echo $?) "purge keeps a group the administrator created before the install: exit $rc, group: $(grp)"

# purge after adduser went away (dpkg runs postrm purge with only essential packages guaranteed)
in_root 'groupdel sysgenid; dpkg -i /tmp/p.deb && mv /usr/sbin/delgroup /usr/sbin/delgroup.away && dpkg -P sysgenid-dkms; rc=$?; mv /usr/sbin/delgroup.away /usr/sbin/delgroup; exit $rc'
rc=$?
check $([ $rc = 0 ] && ! grep -q "still has members" "$m/out"; echo $?) \
	"purge without delgroup exits 0 and does not claim the empty group has members: exit $rc"

echo "1..$n"
[ $failed = 0 ]
