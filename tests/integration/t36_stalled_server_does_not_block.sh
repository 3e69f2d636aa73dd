# A smarthost that stalls one transaction does not stall the others: with connections = 2 a
# message submitted while another one's end-of-data reply hangs is delivered first, on the
# other connection. And every wait is bounded by response_timeout: even with connections = 1
# a transaction that hangs after the data times out, the next message goes through, and the
# hung one is retried (it was never stored) and delivered once. A server that never greets is
# cut off by connect_timeout; a connection dropped after the data is a deferral, not a loss.
source "$(dirname "$0")/lib.sh"
stored_rcpts() { cat "$SH"/messages/*.json 2>/dev/null | grep -o '"[a-z]*@example.net"' | tr -d '"' | tr '\n' ' '; }

# 1. Two connections: the stalled transaction holds one, the other keeps working.
write_config "connections = 2"
echo '{"rules": [{"stage": "eom", "match": "stalled", "action": "stall", "stall": 4}]}' >"$SH/faults.json"
start_smarthost
start_daemon
printf 'Subject: stalled\n\nx\n' | sendmail -i stalled@example.net
wait_until 10 grep -q '\*: fault eom' "$SH/transcript.log" || fail "the stall did not start"
printf 'Subject: prompt\n\nx\n' | sendmail -i prompt@example.net
wait_until 10 has_delivered 1 || fail "nothing delivered while one transaction stalls"
assert_eq "$(stored_rcpts)" "prompt@example.net " "the other message went first"
wait_until 10 has_delivered 2 || fail "the stalled message was not delivered after the stall"
assert_eq "$(stored_rcpts)" "prompt@example.net stalled@example.net " "then the stalled one"
wait_until 5 queue_empty || fail "queue not empty"
grep -q "status=deferred" "$T/daemon.log" && fail "something was deferred"
pass "a stalled transaction does not hold up the other connection"
stop_daemon

# 2. One connection, response_timeout = 2s: the hung transaction is cut off, not waited for.
: >"$T/daemon.log"
write_config "connections = 1" "response_timeout = 2s"
echo '{"rules": [{"stage": "eom", "match": "hung", "action": "drop", "stall": 30, "times": 1}]}' >"$SH/faults.json"
start_daemon
printf 'Subject: hung\n\nx\n' | sendmail -i hung@example.net
wait_until 10 grep -q 'fault eom: .*"stall": 30' "$SH/transcript.log" || fail "the hang did not start"
printf 'Subject: next\n\nx\n' | sendmail -i next@example.net
wait_until 15 has_delivered 3 || fail "not delivered after the hang was cut off"
assert_eq "$(stored_rcpts)" "prompt@example.net stalled@example.net next@example.net " "the next message first"
wait_until 10 has_delivered 4 || fail "the hung message was not retried"
assert_eq "$(stored_rcpts)" "prompt@example.net stalled@example.net next@example.net hung@example.net " \
    "then the hung one, once"
grep -q "to=<hung@example.net>, .*tries=1, .*status=deferred (.*[Tt]imeout" "$T/daemon.log" ||
    fail "the timeout is not logged as the reason: $(grep hung@ "$T/daemon.log")"
grep -q "to=<hung@example.net>, .*tries=2, .*status=sent" "$T/daemon.log" || fail "not retried"
wait_until 5 queue_empty || fail "queue not empty"
pass "a hung transaction times out (response_timeout), the queue moves on, it is retried once"

# 3. No greeting: connect_timeout (which covers greeting, EHLO, STARTTLS and AUTH) cuts it off.
stop_daemon
write_config "connections = 1" "connect_timeout = 1s" "response_timeout = 30s"
echo '{"rules": [{"stage": "connect", "action": "stall", "stall": 30, "times": 1}]}' >"$SH/faults.json"
start_daemon
printf 'Subject: mute\n\nx\n' | sendmail -i mute@example.net
wait_until 10 grep -q "to=<mute@example.net>, .*tries=1, .*status=deferred (.*timed out" "$T/daemon.log" ||
    fail "a server that never greets is not cut off by connect_timeout"
wait_until 10 grep -q "to=<mute@example.net>, .*tries=2, .*status=sent" "$T/daemon.log" || fail "not retried"
pass "no greeting: cut off by connect_timeout, delivered on retry"

# 4. The connection drops after the data, before the reply (not stored): deferred, then once.
echo '{"rules": [{"stage": "eom", "match": "dropped", "action": "drop", "times": 1}]}' >"$SH/faults.json"
before=$(delivered_count)
printf 'Subject: dropped\n\nx\n' | sendmail -i dropped@example.net
wait_until 10 grep -q "to=<dropped@example.net>, .*tries=2, .*status=sent" "$T/daemon.log" ||
    fail "a dropped connection was not retried: $(grep dropped@ "$T/daemon.log")"
grep -q "to=<dropped@example.net>, .*tries=1, .*status=deferred" "$T/daemon.log" || fail "drop not deferred"
assert_eq "$(delivered_count)" $((before + 1)) "delivered once"
pass "connection dropped after the data: deferred, delivered once on retry"
