# Issue 15, item 8: a reload swaps the configuration (and credentials and maps) without
# waiting for the deliveries in flight: each delivery thread takes up the new configuration at
# its next message. Before, SIGHUP joined every delivery thread, so one transaction hanging in
# SMTP (up to response_timeout, 300 s by default) stopped pickup, mailq and SIGTERM with it.
source "$(dirname "$0")/lib.sh"
stored_rcpts() { cat "$SH"/messages/*.json 2>/dev/null | grep -o '"[a-z]*@example.net"' | tr -d '"' | tr '\n' ' '; }

# The stall lasts until the test touches $SH/go (90 s at most); response_timeout is longer.
write_config "connections = 2" "response_timeout = 120s"
echo '{"rules": [{"stage": "eom", "match": "stalled", "action": "stall", "stall": 90, "release": "go"}]}' \
    >"$SH/faults.json"
start_smarthost
start_daemon
printf 'Subject: stalled\n\nx\n' | sendmail -i stalled@example.net
wait_until 10 grep -q '\*: fault eom' "$SH/transcript.log" || fail "the stall did not start"

# A reload that changes the sender domain, while one delivery hangs.
write_config "connections = 2" "response_timeout = 120s" "sender_domain = example.com"
kill -HUP "$DAEMON_PID"
wait_until 10 grep -q "configuration reloaded" "$T/daemon.log" ||
    fail "the reload waited for the delivery in flight"
listing=$(timeout 10 "$BIN/nullrelay" -C "$CONF" queue) || fail "mailq did not answer during the stall"
echo "$listing" | grep -q '^[0-9A-F]*\*' || fail "the stalled message is not shown active: $listing"
pass "SIGHUP returns at once while a delivery hangs; mailq answers"

# New mail goes out on the other connection, with the new configuration.
printf 'Subject: after\n\nx\n' | sendmail -i after@example.net
wait_until 20 has_delivered 1 || fail "nothing delivered after the reload"
assert_eq "$(stored_rcpts)" "after@example.net " "the new message went first"
assert_eq "$(json_field 1 mail_from)" "root@example.com" "the new sender_domain is used"
grep -q 'stall released' "$SH/transcript.log" && fail "the stall ended before the new message"
pass "the next message uses the new configuration"

# The hung delivery ends normally, once: nothing was abandoned or restarted by the reload.
touch "$SH/go"
wait_until 20 has_delivered 2 || fail "the stalled message was not delivered"
wait_until 5 queue_empty || fail "queue not empty"
assert_eq "$(grep -c 'to=<stalled@example.net>.*status=sent' "$T/daemon.log")" 1 "sent once"
grep -q 'status=deferred' "$T/daemon.log" && fail "something was deferred"

# A reload that lowers connections, then SIGTERM: the daemon stops at once.
write_config "connections = 1" "response_timeout = 120s"
kill -HUP "$DAEMON_PID"
wait_until 10 [ "$(grep -c "configuration reloaded" "$T/daemon.log")" -ge 2 ] || fail "second reload"
printf 'Subject: one\n\nx\n' | sendmail -i one@example.net
wait_until 20 has_delivered 3 || fail "not delivered with one connection"
kill -TERM "$DAEMON_PID"
wait_until 10 sh -c "! kill -0 $DAEMON_PID 2>/dev/null" || fail "SIGTERM did not stop the daemon"
DAEMON_PID=
pass "the hung delivery completes once; connections can be lowered; SIGTERM stops at once"
