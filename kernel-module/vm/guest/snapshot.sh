# Guest side of `run selftest`, boot 2: a reader blocked in read() on /dev/sysgenid while the
# host saves the guest and restores it (lines before SNAPSHOT-NOW are the origin's, the rest each
# clone's). sgwatch gives up after SGVM_WATCH_TIMEOUT s of guest time: a clone restored with the
# origin's own guid must see no change.
data gen-before "$(cat $SYS/generation)"
sgwatch -m SNAPSHOT-NOW -n 16 -t "$SGVM_WATCH_TIMEOUT"
data sgwatch-rc $?
data gen-after "$(cat $SYS/generation)"
dmesg | grep -q 'crng reseeded due to virtual machine fork' && data vmfork seen
dmesg_clean "dmesg has no WARN/BUG/lockdep lines"
