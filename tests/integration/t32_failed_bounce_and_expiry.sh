# A bounce that itself fails is never bounced again and never deleted: it ends in failed/
# with its reason. A message still deferred when queue_lifetime runs out bounces the rest
# (Status 4.4.7, the last reply as the diagnostic).
source "$(dirname "$0")/lib.sh"
cat >"$SH/faults.json" <<'JSON'
{"rules": [{"stage": "rcpt", "match": "nobody", "reply": "550 5.1.1 No such user"},
           {"stage": "rcpt", "match": "alice", "reply": "550 5.1.1 Sender's mailbox is gone"}]}
JSON
start_smarthost
start_daemon

printf 'Subject: doomed\n\nx\n' | sendmail -i -f alice nobody@example.net
wait_until 10 grep -q "undeliverable bounce moved to failed/" "$T/daemon.log" || fail "bounce not moved to failed/"
wait_until 5 queue_empty || fail "queue not empty"
assert_eq "$(delivered_count)" 0 "nothing accepted"
failed=$(ls "$SPOOL/failed")
assert_eq "$(echo "$failed" | wc -w)" 1 "one message in failed/"
grep -qx "sender " "$SPOOL/failed/$failed" || fail "the failed message is the bounce (sender <>)"
grep -q $'^rcpt bounced\talice@example.org\talice@example.org\t550 5.1.1 Sender\'s mailbox is gone$' \
    "$SPOOL/failed/$failed" || fail "reason kept: $(cat "$SPOOL/failed/$failed")"
[ -s "$SPOOL/data/$failed" ] || fail "content of the failed bounce kept"
sleep 1.5  # retries would happen now if it were still scheduled
assert_eq "$(grep -c "sender non-delivery notification" "$T/daemon.log")" 1 "exactly one bounce generated"
assert_eq "$(grep -c "^$failed: to=" "$T/daemon.log")" 1 "the bounce was tried once"
[ -f "$SPOOL/failed/$failed" ] || fail "failed bounce deleted"
pass "a failing bounce ends in failed/ with its reason, once, kept"

# queue_lifetime: still deferred after it ran out -> the rest bounces.
stop_daemon
write_config "queue_lifetime = 2s"
echo '{"rules": [{"stage": "rcpt", "match": "slowpoke", "reply": "450 4.2.1 Mailbox busy, try later"}]}' \
    >"$SH/faults.json"
start_daemon
printf 'Subject: slow\n\nx\n' | sendmail -i -f carol slowpoke@example.net fast@example.net
wait_until 15 has_delivered 2 || fail "no expiry bounce"
wait_until 5 queue_empty || fail "queue not empty after expiry"
assert_eq "$(json_field 1 rcpt_tos)" '["fast@example.net"]' "the other recipient went at once"
assert_eq "$(json_field 2 rcpt_tos)" '["carol@example.org"]' "expiry bounce to the sender"
$PY "$SRC/tests/integration/check_dsn.py" "$(eml 2)" relay.example.org carol@example.org \
    "slowpoke@example.net,slowpoke@example.net,4.4.7,smtp; 450 4.2.1 Mailbox busy" \
    --header "Subject: slow" || fail "expiry bounce is not a valid report"
grep -q "to=<slowpoke@example.net>, relay=none, .*dsn=4.4.7, status=expired (gave up after 2s" "$T/daemon.log" ||
    fail "expiry log line"
pass "queue_lifetime over: the deferred recipient bounces (4.4.7)"
