# SIGTERM during a batch: the daemon stops taking new work, lets the transactions in flight
# end, exits 0, and loses nothing: every message is either delivered (once) or still queued,
# and a restart delivers the rest. A transaction that hangs past shutdown_timeout is
# abandoned: the daemon still exits 0 and the message stays queued.
source "$(dirname "$0")/lib.sh"
stop_bounded() {  # SIGTERM, then wait (bounded) for the exit; sets STOP_RC
    kill -TERM "$DAEMON_PID"
    wait_until 30 eval '! kill -0 $DAEMON_PID 2>/dev/null' || fail "daemon still running 30 s after SIGTERM"
    STOP_RC=0; wait "$DAEMON_PID" || STOP_RC=$?
    DAEMON_PID=
}
distinct_delivered() { cat "$SH"/messages/*.eml 2>/dev/null | grep -a '^X-Seq:' | sort -u | wc -l; }

write_config "connections = 2" "shutdown_timeout = 2s"
echo '{"rules": [{"stage": "eom", "action": "stall", "stall": 0.2}]}' >"$SH/faults.json"
start_smarthost
N=30
for i in $(seq 1 $N); do printf 'Subject: b%s\nX-Seq: %s\n\nx\n' "$i" "$i" | sendmail -i "r$i@example.net"; done
start_daemon
wait_until 20 has_delivered 4 || fail "the batch did not start"
stop_bounded
assert_eq "$STOP_RC" 0 "exit status after SIGTERM"
grep -q "abandoning" "$T/daemon.log" && fail "a 0.2 s transaction was abandoned"
delivered=$(delivered_count)
queued=$(queue_id_count)
[ "$delivered" -lt $N ] || fail "SIGTERM came too late to test anything"
assert_eq "$((delivered + queued))" $N "delivered ($delivered) + still queued ($queued)"
assert_eq "$(distinct_delivered)" "$delivered" "no duplicates"
pass "SIGTERM mid-batch: exit 0, $delivered delivered, $queued still queued, none lost"

start_daemon
wait_until 30 queue_empty || fail "the rest was not delivered after a restart"
stop_bounded
assert_eq "$(delivered_count)" $N "each message delivered exactly once"
assert_eq "$(distinct_delivered)" $N "every message delivered"
pass "a restart delivers the rest, each message once"

# A transaction that hangs after the data: abandoned after shutdown_timeout, still queued.
echo '{"rules": [{"stage": "eom", "action": "drop", "stall": 60}]}' >"$SH/faults.json"
: >"$T/daemon.log"
start_daemon
printf 'Subject: stuck\n\nx\n' | sendmail -i stuck@example.net
wait_until 10 grep -q 'fault eom: .*"stall": 60' "$SH/transcript.log" || fail "the hang did not start"
stop_bounded
assert_eq "$STOP_RC" 0 "exit status after abandoning"
grep -q "abandoning 1 delivery(ies) in flight; they stay queued" "$T/daemon.log" || fail "abandon not logged"
assert_eq "$(queue_id_count)" 1 "the hung message is still queued"
pass "a hung transaction is abandoned after shutdown_timeout, exit 0, message kept"
