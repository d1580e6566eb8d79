# e2e.d/cycles.sh - guest side of the restore-cycle chain of kernel-module/vm/e2e:
# one JVM with $SG_SUBS tracked subscribers per kind ($SG_CYCLES_MODE: core EpollLoop
# registrations, reactor-adapter rekeyed(...) subscriptions, or both) lives through $SG_CYCLES restores;
# before each snapshot it prints "CYCLE-READY k" and blocks on the device.
ulimit -n 4096
CP=$(ls $SG_JARS/*.jar | grep -v junit-platform-console-standalone | tr '\n' : )
exec $JAVA $JAVA_OPTS -cp "$CP" ${SG_CYCLES_MAIN:-dev.sysgenid.e2e.RestoreCycles} $SG_CYCLES $SG_SUBS ${SG_CYCLES_MODE:-both}
