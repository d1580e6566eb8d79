# Guest side of `run e2e cycles`: one JVM with $SGVM_SUBSCRIBERS tracked subscribers per kind
# ($SGVM_CYCLES_MODE: core EpollLoop registrations, reactor-adapter rekeyed(...) subscriptions,
# or both) lives through $SGVM_CYCLES restores; before each snapshot it prints
# "CYCLE-READY k" and blocks on the device.
ulimit -n 4096
exec $J dev.sysgenid.e2e.RestoreCycles $SGVM_CYCLES $SGVM_SUBSCRIBERS $SGVM_CYCLES_MODE
