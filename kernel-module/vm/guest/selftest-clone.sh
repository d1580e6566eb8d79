# Guest side of kernel-module/vm/selftest, boot 2: a reader blocked in read()
# on /dev/sysgenid while the host saves the guest and restores it twice.
# Lines before SGVM-SAVE-NOW land in the origin's log, the rest in each clone's.
# The reader gives up after SGVM_WATCH_TIMEOUT s of guest time (exit 2): a
# clone restored with the origin's own guid must see no change and time out.
echo "GEN_BEFORE $(cat /sys/class/misc/sysgenid/generation)"
sgwatch -m SGVM-SAVE-NOW -n 16 -t "${SGVM_WATCH_TIMEOUT:-10}" &
pid=$!
wait $pid
echo "SGWATCH_RC $?"
echo "GEN_AFTER $(cat /sys/class/misc/sysgenid/generation)"
echo "OUTDATED_AFTER $(cat /sys/class/misc/sysgenid/outdated_watchers)"
if dmesg | grep -q 'crng reseeded due to virtual machine fork'; then echo "VMFORK seen"; else echo "VMFORK missing"; fi
if dmesg | grep -E "$SG_DMESG_BAD"; then echo "DMESG bad"; else echo "DMESG clean"; fi
exit 0
