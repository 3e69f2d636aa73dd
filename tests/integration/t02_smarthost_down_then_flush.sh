# With the smarthost down, sendmail still exits 0 at once and the message stays queued with
# the reason shown by `nullrelay queue`; once the smarthost is back, `nullrelay flush`
# delivers it exactly once, with or without a running daemon.
source "$(dirname "$0")/lib.sh"
write_config "retry_min = 1h" "retry_max = 1h"  # only a flush can bring it out early
start_daemon

start=$(date +%s%N)
printf 'Subject: while down\n\nqueued\n' | sendmail -i root@example.net || fail "sendmail exit $?"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed_ms" -lt 2000 ] || fail "sendmail took ${elapsed_ms} ms with the smarthost down"
wait_until 10 grep -q "status=deferred" "$T/daemon.log" || fail "no deferral logged"
# The log line comes just before the envelope is stored: wait for the listing itself.
queue_shows() { nullrelay queue | grep -q -- "$1"; }
wait_until 10 queue_shows "Couldn't connect to server" || fail "no reason in the listing"
listing=$(nullrelay queue)
echo "$listing" | grep -q "root@example.net" || fail "queue listing lacks the recipient: $listing"
echo "$listing" | grep -q "Couldn't connect to server" || fail "queue listing lacks the reason: $listing"
echo "$listing" | grep -q -- "-- 0 Kbytes in 1 Request." || fail "queue summary: $listing"
pass "queued with the reason while the smarthost is down"

start_smarthost
sleep 1
assert_eq "$(delivered_count)" 0 "nothing delivered before the flush (backoff is 1h)"
nullrelay flush || fail "flush exit $?"
wait_until 10 has_delivered 1 || fail "not delivered after flush"
wait_until 5 queue_empty || fail "queue not empty"
assert_eq "$(nullrelay queue)" "Mail queue is empty" "listing after delivery"
nullrelay flush
sleep 1
assert_eq "$(delivered_count)" 1 "delivered exactly once"
pass "flush with a running daemon delivers once"

# The same without a daemon: flush runs the delivery itself.
stop_daemon
stop_smarthost
printf 'Subject: no daemon\n\nx\n' | sendmail -i root@example.net || fail "sendmail exit $?"
nullrelay flush || true  # smarthost down: deferred, still queued
assert_eq "$(queue_id_count)" 1 "queued while down, no daemon"
start_smarthost
nullrelay flush || fail "flush without daemon exit $?"
assert_eq "$(delivered_count)" 2 "delivered by flush without a daemon"
queue_empty || fail "queue not empty"
pass "flush without a daemon delivers"
