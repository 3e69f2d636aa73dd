# One message to a recipient the smarthost refuses (550) and one it accepts: the second is
# delivered once; the first is bounced with an RFC 3464 report (checked with Python's email
# package) from <> to the original sender through the smarthost; the message leaves the queue.
source "$(dirname "$0")/lib.sh"
cat >"$SH/faults.json" <<'JSON'
{"rules": [{"stage": "rcpt", "match": "nobody", "reply": "550 5.1.1 <nobody@example.org>: No such user"}]}
JSON
start_smarthost
start_daemon

printf 'Subject: report me\nX-Test: t30\n\nbody text that must not come back\n' |
    sendmail -i -f alice nobody bob@example.net || fail "sendmail exit $?"
wait_until 10 has_delivered 2 || fail "expected the message and its bounce"
wait_until 5 queue_empty || fail "queue not empty"

assert_eq "$(json_field 1 mail_from)" "alice@example.org" "original sender"
assert_eq "$(json_field 1 rcpt_tos)" '["bob@example.net"]' "accepted recipient only"
grep -q "body text" "$(eml 1)" || fail "original body"
pass "the accepted recipient got the message"

assert_eq "$(json_field 2 mail_from)" "" "bounce from the null sender"
assert_eq "$(json_field 2 rcpt_tos)" '["alice@example.org"]' "bounce to the original sender"
assert_eq "$(json_field 2 tls)" "true" "bounce over TLS"
$PY "$SRC/tests/integration/check_dsn.py" "$(eml 2)" relay.example.org alice@example.org \
    "nobody@example.org,nobody,5.1.1,smtp; 550 5.1.1 <nobody@example.org>: No such user" \
    --header "Subject: report me" --header "X-Test: t30" || fail "bounce is not a valid report"
grep -q "body text" "$(eml 2)" && fail "the bounce returned the body"
pass "the refused recipient bounced with a valid RFC 3464 report"

id=$(grep -o '^[0-9A-F]\{16\}: to=<bob@example.net>' "$T/daemon.log" | cut -d: -f1)
grep -q "^$id: to=<nobody@example.org>, orig_to=<nobody>, relay=localhost\[127.0.0.1\]:$SMARTHOST_PORT, delay=[0-9.]*, tries=1, dsn=5.1.1, status=bounced (550 5.1.1 <nobody@example.org>: No such user)$" \
    "$T/daemon.log" || fail "bounced log line"
grep -q "^$id: sender non-delivery notification: [0-9A-F]\{16\}$" "$T/daemon.log" || fail "bounce not logged"
grep -q "^$id: removed$" "$T/daemon.log" || fail "original not removed"
sleep 1
assert_eq "$(delivered_count)" 2 "nothing delivered twice"
[ -z "$(find "$SPOOL/data" "$SPOOL/failed" -type f)" ] || fail "files left in data/ or failed/"
pass "delivered once, bounced once, queue empty"
