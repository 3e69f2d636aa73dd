# A smarthost that stops reading in the middle of the message body (the upload backs up into the
# socket buffers and stops moving) is cut off by response_timeout, which also bounds a stalled
# upload (man/nullrelay.conf.5; libcurl's LOW_SPEED_TIME, research/libcurl-smtp.md section 6:
# the per-reply timeout alone never fires there). The message is deferred with the reason
# logged, mail queued behind it on the one connection goes through, and on retry it is
# delivered exactly once (the cut-off transaction was never stored).
source "$(dirname "$0")/lib.sh"
stored() { cat "$SH"/messages/*.json 2>/dev/null | grep -c "\"$1\"" || true; }  # copies stored
is_stored() { [ "$(stored "$1")" -ge 1 ]; }

# The server would stop reading for 60 s after 1 MiB; response_timeout is 10 s, which leaves the
# server room to store 15 MB on a loaded machine before its reply (a 2 s bound gave a duplicate:
# stored, but the reply came too late; 5 s did too, with four builds running beside the test). The message is well above what the loopback
# socket buffers take (tests/smarthost/README.md, "after").
write_config "connections = 1" "response_timeout = 10s"
cat >"$SH/faults.json" <<'JSON'
{"rules": [{"stage": "body", "match": "big", "after": 1048576, "action": "drop", "stall": 60,
            "times": 1}]}
JSON
start_smarthost
start_daemon
{
    printf 'Subject: big\n\n'
    awk 'BEGIN { for (i = 0; i < 200000; i++) print "the quick brown fox jumps over the lazy dog, a line of the big message body" }'
    echo 'the end of the big message'
} >"$T/big.txt"
sendmail -i big@example.net <"$T/big.txt"
wait_until 20 grep -q '\*: fault body after' "$SH/transcript.log" || fail "the upload did not stall"
printf 'Subject: small\n\nx\n' | sendmail -i small@example.net

# 1. Cut off by the timeout, long before the server would have gone on (60 s); deferred.
wait_until 40 grep -q "to=<big@example.net>, .*tries=1, .*status=deferred" "$T/daemon.log" ||
    fail "the stalled upload was not cut off"
grep -q 'dropping connection' "$SH/transcript.log" && fail "the server's stall ended first"
grep -q "to=<big@example.net>, .*tries=1, .*status=deferred (.*too slow" "$T/daemon.log" ||
    fail "the stalled upload is not logged as the reason: $(grep big@ "$T/daemon.log")"
assert_eq "$(stored big@example.net)" 0 "the cut-off transaction was not stored"
pass "an upload stalled mid-body is cut off by response_timeout and deferred with the reason"

# 2. Other mail flows, and the big message is delivered once on retry, whole.
wait_until 30 is_stored small@example.net || fail "the message behind it was not delivered"
wait_until 60 is_stored big@example.net || fail "the big message was not retried"
wait_until 5 queue_empty || fail "queue not empty"
assert_eq "$(stored small@example.net) $(stored big@example.net)" "1 1" "each delivered once"
grep -q "to=<big@example.net>, .*status=sent" "$T/daemon.log" || fail "no status=sent for big"
big=$(grep -l '"big@example.net"' "$SH"/messages/*.json)
tail -c 200 "${big%.json}.eml" | grep -q 'the end of the big message' || fail "the retry was cut short"
[ "$(grep -c 'quick brown fox' "${big%.json}.eml")" -eq 200000 ] || fail "lines lost on retry"
pass "the message behind it flows; the stalled one is delivered exactly once, whole, on retry"
