# sendmail -bs speaks SMTP on stdin/stdout (as Symfony Mailer uses it): several messages in one
# session, RSET, NOOP, errors in the right order, dot-unstuffing, and the size limit.
source "$(dirname "$0")/lib.sh"
write_config "max_message_size = 10K"
start_smarthost
start_daemon

big=$(head -c 20000 /dev/zero | tr '\0' 'y')
printf '%s\r\n' \
    "DATA" "EHLO client.example" "MAIL FROM:<a b@example.org>" "RCPT TO:<x@example.net>" \
    "MAIL FROM:<app@example.org>" "DATA" "RCPT TO:<bad>address@example.net>" \
    "RCPT TO:<one@example.net>" "RCPT TO:<two@example.net>" "NOOP" "DATA" \
    "Subject: first" "" "..leading dot" "." \
    "MAIL FROM:<>" "RCPT TO:<three@example.net>" "RSET" \
    "MAIL FROM:<app@example.org>" "RCPT TO:<four@example.net>" "DATA" "Subject: second" "" "$big" "." \
    "MAIL FROM:<app@example.org>" "RCPT TO:<five@example.net>" "DATA" "Subject: third" "" "ok" "." \
    "VRFY root" "BOGUS" "QUIT" >"$T/session"
sendmail -bs <"$T/session" >"$T/replies" || fail "sendmail -bs exit $?"
tr -d '\r' <"$T/replies" | cut -c1-3 >"$T/codes"
# (EHLO answers with four 250 lines)
want="220 503 250 250 250 250 553 503 250 503 501 250 250 250 354 250 250 250 250 250 250 354 552 250 250 354 250 252 500 221"
assert_eq "$(tr '\n' ' ' <"$T/codes" | sed 's/ $//')" "$want" "reply codes"
grep -q '^250 2.0.0 Ok: queued as [0-9A-F]\{16\}' "$T/replies" || fail "queue id in the reply"
wait_until 10 has_delivered 2 || fail "two messages not delivered"
sleep 0.5
assert_eq "$(delivered_count)" 2 "the oversized and the reset messages were not sent"
# Two connections deliver in parallel: the order at the smarthost is not the order sent.
first=$(grep -l 'one@example.net' "$SH"/messages/*.json | head -1)
third=$(grep -l 'five@example.net' "$SH"/messages/*.json | head -1)
[ -n "$first" ] && [ -n "$third" ] || fail "messages by recipient"
assert_eq "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["rcpt_tos"])' "$first")" "['one@example.net', 'two@example.net']" "first message recipients"
assert_eq "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["mail_from"])' "$first")" "app@example.org" "first message sender"
grep -q $'^.leading dot\r$' "${first%.json}.eml" || fail "dot-unstuffing"
assert_eq "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["rcpt_tos"])' "$third")" "['five@example.net']" "third message recipients"
pass "-bs session: two messages delivered, errors in order, limit enforced"
