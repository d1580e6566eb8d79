#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kernel-module/tests/deb-contents.sh - checks of the sysgenid-dkms package's contents that need no
# guest (review of issue 15). Builds the package with kernel-module/build-deb, twice: as it is, and
# from a copy whose version was bumped the way build-deb asks (debian/changelog and dkms.conf).
# Prints TAP; exits 1 when a check fails. Needs what build-deb needs (dpkg-dev debhelper dh-dkms
# lintian).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
check() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

"$here/build-deb" "$tmp/out" > "$tmp/build.log" 2>&1
check $? "build-deb builds the package and lintian reports no error"
deb=$(ls "$tmp"/out/sysgenid-dkms_*_all.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { cat "$tmp/build.log"; echo "1..$n"; exit 1; }
dpkg-deb -c "$deb" | awk '{ print $2, $6 }' > "$tmp/list"
dpkg-deb -x "$deb" "$tmp/x"

# every file root:root, no file writable by group or others, none executable under /usr/src
awk '$1 != "root/root"' "$tmp/list" > "$tmp/bad-owner"
check $([ ! -s "$tmp/bad-owner" ]; echo $?) "every path in the package is root/root: $(tr '\n' ' ' < "$tmp/bad-owner")"
find "$tmp/x" -type f -perm /0133 > "$tmp/bad-mode"
check $([ ! -s "$tmp/bad-mode" ]; echo $?) "every file is 0644: $(sed "s|$tmp/x||" "$tmp/bad-mode" | tr '\n' ' ')"

# the uapi header: /usr/include/linux/ is linux-libc-dev's (the kernel's own uapi headers). The
# sysgenid patch series posted upstream adds include/uapi/linux/sysgenid.h: if it is ever merged,
# linux-libc-dev ships /usr/include/linux/sysgenid.h and dpkg refuses to overwrite one package's
# file with the other's (an upgrade of linux-libc-dev fails while sysgenid-dkms is installed).
# A header of an out-of-tree package belongs in a directory of its own.
hdr=$(grep -o '\./usr/include/[^ ]*\.h' "$tmp/list" | sed 's/^\.//')
case "$hdr" in
/usr/include/linux/*) false ;;
/usr/include/?*) true ;;
*) false ;;
esac
check $? "the uapi header is outside linux-libc-dev's /usr/include/linux/: ${hdr:-none}"

# the udev rule: the permission model of docs/sysgenid-abi.md (0664, group sysgenid) on the misc
# device only, and tagged for systemd so that a unit can wait for the node with the rule applied
# (After=/Requires=dev-sysgenid.device): After=systemd-modules-load.service alone does not wait
# for udev, and a service that opens the node before udev changed it gets EACCES (root:root 0600)
rule=$tmp/x/lib/udev/rules.d/60-sysgenid.rules
grep -v '^#' "$rule" | grep -q 'KERNEL=="sysgenid".*GROUP="sysgenid".*MODE="0664"'
check $? "the udev rule gives /dev/sysgenid group sysgenid and mode 0664"
grep -v '^#' "$rule" | grep -q 'SUBSYSTEM=="misc"'
check $? "the udev rule matches the misc device only (SUBSYSTEM==\"misc\")"
grep -v '^#' "$rule" | grep -q 'TAG+="systemd"'
check $? "the udev rule tags the node for systemd, so dev-sysgenid.device exists for units to order after"

# one version: a bump the way build-deb checks it (changelog and dkms.conf) must either be refused
# by build-deb with a message about the version, or give a package whose DKMS tree is whole under
# /usr/src/sysgenid-NEW and whose module's MODULE_VERSION is NEW (today the .install file and
# sysgenid.c keep the old version: sources under /usr/src/sysgenid-OLD, dkms.conf alone under NEW)
mkdir -p "$tmp/bump"
cp -a "$here/Kbuild" "$here/Makefile" "$here/dkms.conf" "$here/sysgenid.c" "$here/sysgenid.h" \
	"$here/udev" "$here/debian" "$here/build-deb" "$tmp/bump/"
old=$(dpkg-parsechangelog -l "$here/debian/changelog" -SVersion)
new=9.8.7
sed -i "1s/($old)/($new)/" "$tmp/bump/debian/changelog"
sed -i "s/^PACKAGE_VERSION=\"$old\"/PACKAGE_VERSION=\"$new\"/" "$tmp/bump/dkms.conf"
"$tmp/bump/build-deb" "$tmp/bump/out" > "$tmp/bump.log" 2>&1
rc=$?
if [ $rc != 0 ]; then
	grep -qi version "$tmp/bump.log"
	check $? "a half-done version bump to $new is refused by build-deb with a message: $(tail -n 1 "$tmp/bump.log")"
else
	bdeb=$tmp/bump/out/sysgenid-dkms_${new}_all.deb
	trees=$(dpkg-deb -c "$bdeb" | grep -o '\./usr/src/[^/]*/' | sort -u | tr '\n' ' ')
	dpkg-deb -x "$bdeb" "$tmp/bx"
	whole=0
	for f in Kbuild Makefile dkms.conf sysgenid.c sysgenid.h; do [ -f "$tmp/bx/usr/src/sysgenid-$new/$f" ] || whole=1; done
	modver=$(sed -n 's/^MODULE_VERSION("\(.*\)");/\1/p' "$tmp/bx/usr/src/sysgenid-$new/sysgenid.c" 2> /dev/null)
	check $([ $whole = 0 ] && [ "$trees" = "./usr/src/sysgenid-$new/ " ] && [ "$modver" = "$new" ]; echo $?) \
		"a version bump of debian/changelog and dkms.conf to $new (build-deb accepted it) ships one whole DKMS tree /usr/src/sysgenid-$new whose MODULE_VERSION is $new: trees $trees; MODULE_VERSION ${modver:-none}"
fi

echo "1..$n"
[ $failed = 0 ]
