# Without a daemon, root manages the queue directly, holding the spool lock: hold, release,
# delete by pattern (after confirming), requeue of failed mail, and flush --wait, which runs
# the delivery itself and reports each outcome. sendmail -bp and -q land on the same code.
source "$(dirname "$0")/lib.sh"
write_config "retry_min = 1h" "retry_max = 1h"
for who in alice bob carol dave; do
    printf 'Subject: %s\n\nx\n' "$who" | sendmail -i "$who@example.net"
done
# Smarthost down: the flush picks the four up and defers them.
out=$(nullrelay flush --wait 2>/dev/null) && fail "flush --wait with the smarthost down succeeded"
assert_eq "$(echo "$out" | grep -c "deferred: .*Couldn't connect to server")" 4 "deferred: $out"
ids=($(ls "$SPOOL/queue"))
assert_eq "${#ids[@]}" 4 "queued"
pass "flush --wait without a daemon picks up and reports deferrals"

assert_eq "$(nullrelay hold "${ids[0]}")" "${ids[0]}: placed on hold" "hold"
[ -e "$SPOOL/hold/${ids[0]}" ] || fail "not in hold/"
sendmail -bp | grep -q "^${ids[0]}! " || fail "sendmail -bp does not show the held message"
out=$(nullrelay delete --recipient 'bob@*' --yes) || fail "delete by pattern: $out"
assert_eq "$out" "${ids[1]}: deleted" "delete by pattern"
# A failed message (as delivery leaves it: recipient bounced, envelope in failed/).
sed 's/^rcpt pending/rcpt bounced/' "$SPOOL/queue/${ids[2]}" >"$SPOOL/failed/${ids[2]}"
rm "$SPOOL/queue/${ids[2]}"
nullrelay queue --json | grep "\"id\": \"${ids[2]}\"" | grep -q '"state": "failed"' ||
    fail "failed message not listed as failed"
assert_eq "$(nullrelay requeue --all)" "${ids[2]}: requeued" "requeue"
nullrelay queue --json | grep "\"id\": \"${ids[2]}\"" | grep -q '"attempts": 0, "next_attempt": 0' ||
    fail "requeued message not reset: $(nullrelay queue --json)"
pass "hold, delete by pattern, requeue: direct on the spool"

start_smarthost
out=$(nullrelay flush --wait) || fail "flush --wait exit $?: $out"
assert_eq "$(echo "$out" | sort)" "$(printf '[1/2] %s: delivered\n[2/2] %s: delivered' "${ids[2]}" "${ids[3]}" | sort)" \
    "flush --wait report"
assert_eq "$(delivered_count)" 2 "two delivered"
assert_eq "$(nullrelay release "${ids[0]}")" "${ids[0]}: released" "release"
sendmail -q || fail "sendmail -q exit $?"
assert_eq "$(delivered_count)" 3 "the released one delivered by sendmail -q"
assert_eq "$(sendmail -bp)" "Mail queue is empty" "empty at the end"
pass "flush --wait, release and sendmail -q without a daemon"

# The lock keeps direct changes and a delivery run apart: while it is held, a change waits.
printf 'Subject: late\n\nx\n' | sendmail -i late@example.net
stop_smarthost
nullrelay flush 2>/dev/null || true
late=$(ls "$SPOOL/queue")
exec 9>"$SPOOL/lock"
flock 9
(sleep 1; flock -u 9) &
start=$SECONDS
assert_eq "$(nullrelay hold "$late")" "$late: placed on hold" "hold after waiting for the lock"
[ $((SECONDS - start)) -ge 1 ] || fail "hold did not wait for the lock"
exec 9>&-
pass "a direct change waits for the spool lock"
