# Issue 18: the admin pauses deliveries (smarthost maintenance, a provider's sending limit)
# without stopping submission, as Postfix's defer_transports: mail is accepted and queued,
# mailq says deliveries are paused and why, a flush is refused with the reason, the pause
# outlives a restart of the daemon, and `nullrelay resume` sends what waited. Without a
# daemon, root pauses and resumes on the spool itself.
source "$(dirname "$0")/lib.sh"
start_smarthost
start_daemon

out=$(nullrelay pause smarthost maintenance) || fail "pause: exit $?: $out"
echo "$out" | grep -q "^deliveries: paused since .* UTC: smarthost maintenance$" || fail "pause said: $out"
grep -q "deliveries paused by the admin" "$T/daemon.log" || fail "no log line for the pause"
printf 'Subject: during the pause\n\nx\n' | sendmail -i root@example.net || fail "sendmail refused"
wait_until 10 dir_has_files "$SPOOL/queue" || fail "not picked up during the pause"
sleep 2  # time for a delivery that should not happen (retry_min is 1 s)
assert_eq "$(delivered_count)" 0 "delivered while paused"
listing=$(nullrelay queue)
echo "$listing" | head -1 | grep -q "^-- Deliveries paused since .*: smarthost maintenance (nullrelay resume) --$" ||
    fail "mailq does not show the pause: $listing"
echo "$listing" | grep -q "root@example.net" || fail "mailq lost the message: $listing"
stats=$(nullrelay stats) || fail "stats: exit $?"
grep -q "^deliveries: paused since .* (nullrelay resume)$" <<<"$stats" || fail "stats: $stats"
pass "paused: mail is accepted and queued, not sent; mailq and stats say so"

set +e
out=$(nullrelay flush 2>&1); rc=$?
set -e
assert_eq "$rc" 75 "flush while paused"
echo "$out" | grep -q "deliveries paused since .*; nothing is attempted until .nullrelay resume." ||
    fail "flush said: $out"
pass "a flush during the pause is refused with the reason (exit 75)"

stop_daemon
start_daemon
grep -q "deliveries paused since .*: smarthost maintenance: mail is queued" "$T/daemon.log" ||
    fail "the restarted daemon does not say it is paused"
sleep 2
assert_eq "$(delivered_count)" 0 "delivered after a restart, still paused"
pass "the pause outlives a restart of the daemon"

out=$(nullrelay resume) || fail "resume: exit $?: $out"
assert_eq "$out" "deliveries: resumed" "resume output"
wait_until 10 has_delivered 1 || fail "not delivered after resume"
nullrelay queue | grep -q "Deliveries paused" && fail "mailq still shows the pause"
nullrelay stats | grep -q "paused" && fail "stats still shows the pause"
assert_eq "$(nullrelay resume)" "deliveries: not paused" "a second resume"
pass "resume sends what waited"

stop_daemon
nullrelay pause >/dev/null || fail "pause without the daemon"
printf 'Subject: offline\n\nx\n' | sendmail -i root@example.net
set +e
out=$(nullrelay flush 2>&1); rc=$?
set -e
assert_eq "$rc" 75 "flush without the daemon while paused"
"$BIN/nullrelayd" -C "$CONF" --once >>"$T/daemon.log" 2>&1 || fail "nullrelayd --once: exit $?"
assert_eq "$(delivered_count)" 1 "nullrelayd --once delivered while paused"
nullrelay queue | head -1 | grep -q "^-- Deliveries paused since .* (nullrelay resume) --$" ||
    fail "mailq without the daemon does not show the pause"
nullrelay resume >/dev/null || fail "resume without the daemon"
nullrelay flush || fail "flush after resume: exit $?"
assert_eq "$(delivered_count)" 2 "delivered after the offline resume"
pass "without a daemon, root pauses and resumes on the spool; nullrelayd --once honours it"
