# Guest side of `run e2e webflux`: the samples/webflux-app fat jar on the real /dev/sysgenid, then
# a real snapshot of the guest with the service running and two restored clones with new guids.
# Before the snapshot: startup, health, /ids, /tokens, no /simulate/restore. After the restore
# (each clone): the service rotated, old IDs and tokens are retired. Data lines for the host:
# startup-seconds, pre-id, clone-id, clone-key, clone-token.
PORT=8080

ip link set lo up
t0=$(uptime_s)
$JAVA $JAVA_OPTS -jar /data/files/sysgenid-webflux-app.jar --sysgenid.device=/dev/sysgenid \
    --server.port=$PORT > /tmp/app.log 2>&1 &
APID=$!
up=1
for i in $(seq 1 3000); do
    get GET /actuator/health
    [ "$CODE" = 200 ] && { up=0; break; }
    kill -0 $APID 2>/dev/null || break
    sleep 0.1
done
t1=$(uptime_s)
secs=$(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}')
data startup-seconds $secs
grep -E 'Started WebfluxApplication|Using the generation device|SIMULATED' /tmp/app.log
check $up "webflux-app started and answers /actuator/health 200 after $secs s (guest clock, boot to listening)"
if [ $up != 0 ]; then tail -n 60 /tmp/app.log; exit 1; fi
gen=$(gen)
grep -q "Using the generation device /dev/sysgenid (generation $gen)" /tmp/app.log && ! grep -qi 'simulated generation device' /tmp/app.log
check $? "startup log: $(grep -o 'Using the generation device [^:]*' /tmp/app.log | head -n 1) (no SIMULATED line)"
H=$(echo "$BODY" | grep -o '"sysgenid":{"details":{[^}]*}')
[ "$(field "$H" simulated)" = false ] && [ "$(field "$H" generation)" = "$gen" ] && [ "$(field "$H" device)" = /dev/sysgenid ] \
    && { ! counts_exported || [ "$(field "$H" trackedWatchers)" -ge 1 ]; } && [ -n "$(field "$H" driver)" ] \
    && [ "$(field "$H" subscribed)" = true ]
check $? "health: $H"
get POST /simulate/restore
check $([ "$CODE" = 404 ]; echo $?) "POST /simulate/restore does not exist on the real device: HTTP $CODE"
rm -f /tmp/pre-ids
for i in 1 2 3; do get GET /ids; echo "$(field "$BODY" id)" >> /tmp/pre-ids; done
ID=$BODY
KEY0=$(field "$ID" keyId)
[ "$CODE" = 200 ] && [ "$(field "$ID" generation)" = "$gen" ] && [ -n "$KEY0" ] \
    && [ "$(sort -u /tmp/pre-ids | wc -l)" = 3 ]
check $? "GET /ids: HTTP $CODE $ID (3 distinct)"
get POST '/tokens?subject=alice'
TOKEN=$(field "$BODY" token)
get GET "/tokens/verify?token=$TOKEN"
[ -n "$TOKEN" ] && [ "$CODE" = 200 ] && [ "$(field "$BODY" valid)" = true ]
check $? "POST /tokens issued $TOKEN; verify: HTTP $CODE valid=$(field "$BODY" valid)"
data pre-key $KEY0
sed 's/^/DATA pre-id /' /tmp/pre-ids

# the snapshot: the host saves the running guest at the marker; sgwatch blocks until the
# restore's VM-fork bump (it is untracked: the service is the tracked watcher)
sgwatch -m SNAPSHOT-NOW -t 600
rc=$?

t0=$(uptime_s)
newgen=$(gen)
check $([ $rc = 0 ] && [ "$newgen" = $((gen + 1)) ]; echo $?) "restored: the VM-fork bump moved the counter by one: $gen -> $newgen (sgwatch exit $rc)"
ok=1
for i in $(seq 1 300); do
    get GET /actuator/health
    H=$(echo "$BODY" | grep -o '"sysgenid":{"details":{[^}]*}')
    [ "$(field "$H" keyGeneration)" = "$newgen" ] && [ "$(field "$H" outdatedWatchers)" = 0 ] && { ok=0; break; }
    sleep 0.1
done
t1=$(uptime_s)
KEY1=$(field "$H" keyId)
[ $ok = 0 ] && [ "$KEY1" != "$KEY0" ] && [ "$(field "$H" generation)" = "$newgen" ] \
    && [ "$(field "$H" rotationPending)" = false ]
rc=$?; secs=$(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}')
check $rc "the service rotated its key for generation $newgen and acked within $secs s: key $KEY0 -> $KEY1; health $H"
get GET /ids
ID1=$(field "$BODY" id)
[ "$CODE" = 200 ] && [ "$(field "$BODY" generation)" = "$newgen" ] && [ "$(field "$BODY" keyId)" = "$KEY1" ] \
    && ! grep -qx "$ID1" /tmp/pre-ids && [ "${ID1%-*}" != "$(head -n 1 /tmp/pre-ids | sed 's/-[^-]*$//')" ]
check $? "GET /ids after the restore: $BODY (not one issued before, new prefix)"
get GET "/tokens/verify?token=$TOKEN"
[ "$CODE" = 401 ] && [ "$(field "$BODY" reason)" = KEY_RETIRED ]
check $? "the token issued before the snapshot is refused: HTTP $CODE $(field "$BODY" reason) \
(key $(field "$BODY" keyId), generation $(field "$BODY" generation))"
get POST '/tokens?subject=bob'
T2=$(field "$BODY" token)
get GET "/tokens/verify?token=$T2"
[ "$CODE" = 200 ] && [ "$(field "$BODY" valid)" = true ]
check $? "a token issued after the restore verifies: HTTP $CODE"
data clone-id $ID1
data clone-key $KEY1
data clone-token $T2
grep -iE 'error|exception' /tmp/app.log | head -n 5
kill $APID
wait $APID
exit 0
