# smarthost = a, b: when a refuses the connection, or greets with 421 (or another 4xx), the
# message goes through b, and the log names b as the relay that took it. A rejection that is
# about the message itself (here a 550 to RCPT) does not fail over.
source "$(dirname "$0")/lib.sh"
start_smarthost
DEAD_PORT=$(free_port)  # nothing listens there: connection refused

# 1. The first smarthost refuses connections.
write_config "smarthost = 127.0.0.1:$DEAD_PORT, localhost:$SMARTHOST_PORT"
start_daemon
printf 'Subject: failover 1\n\nx\n' | sendmail -i one@example.net
wait_until 10 has_delivered 1 || fail "not delivered through the second smarthost"
wait_until 5 queue_empty || fail "still queued"
grep -q "warning: [0-9A-F]*: 127.0.0.1:$DEAD_PORT: .*; trying the next smarthost" "$T/daemon.log" ||
    fail "failover not logged"
grep -q "to=<one@example.net>, relay=localhost\[127.0.0.1\]:$SMARTHOST_PORT, .*tries=1, .*status=sent" "$T/daemon.log" ||
    fail "log does not name the relay that took it"
pass "connection refused: the second smarthost took it (tries=1)"
stop_daemon

# 2. The first greets with 421 (then 450): a second smarthost process takes it.
SH2=$T/smarthost2
PORT2=$(free_port)
start_smarthost_at "$SH2" "$PORT2"
sh2_has_more_than() { [ "$(find "$SH2/messages" -name '*.json' 2>/dev/null | wc -l)" -gt "$1" ]; }
write_config "smarthost = localhost:$SMARTHOST_PORT, localhost:$PORT2"
start_daemon
for greeting in "421 4.3.2 Service shutting down" "450 4.3.2 Too busy"; do
    printf '{"rules": [{"stage": "connect", "reply": "%s"}]}\n' "$greeting" >"$SH/faults.json"
    before=$(find "$SH2/messages" -name '*.json' 2>/dev/null | wc -l)
    printf 'Subject: failover %s\n\nx\n' "${greeting%% *}" | sendmail -i "g${greeting%% *}@example.net"
    wait_until 10 sh2_has_more_than "$before" ||
        fail "greeting ${greeting%% *}: not delivered through the second smarthost"
    wait_until 5 queue_empty || fail "still queued"
    grep -q "to=<g${greeting%% *}@example.net>, relay=localhost\[127.0.0.1\]:$PORT2, .*tries=1, .*status=sent" "$T/daemon.log" ||
        fail "greeting ${greeting%% *}: log does not name the second relay"
    pass "greeting ${greeting%% *}: failed over to the second smarthost"
done
assert_eq "$(delivered_count)" 1 "the first smarthost took only message 1"

# 3. A 550 from the first smarthost is its verdict on the recipient: no failover.
echo '{"rules": [{"stage": "rcpt", "match": "refused", "reply": "550 5.1.1 No such user"}]}' >"$SH/faults.json"
printf 'Subject: no failover\n\nx\n' | sendmail -i -f alice refused@example.net
wait_until 10 grep -q "to=<refused@example.net>, relay=localhost\[127.0.0.1\]:$SMARTHOST_PORT, .*status=bounced" "$T/daemon.log" ||
    fail "550 not taken as the verdict"
grep -q "RCPT TO:<refused@example.net>" "$SH2/transcript.log" && fail "a 550 failed over"
pass "a 550 is a verdict, not a reason to fail over"
