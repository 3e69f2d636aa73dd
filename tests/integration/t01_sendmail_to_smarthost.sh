# A message submitted with `sendmail -i root` reaches the smarthost over STARTTLS with AUTH,
# byte for byte, dots and mixed line endings included; a Received: field goes on top,
# missing Date, Message-ID and From are added and nothing else changes. (8-bit text is
# re-encoded as 7-bit MIME: t16.)
source "$(dirname "$0")/lib.sh"
start_smarthost
start_daemon

# 1. Complete headers: nothing is added, the wire bytes equal the CRLF form of the input.
printf 'From: Cron Daemon <root@example.org>\nTo: root@example.org\nSubject: dots\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\nMessage-ID: <fixed@example.org>\n\n.\n.leading dot\n..two dots\r\nbare CR\rhere\nno final newline' >"$T/in1"
sendmail -i root <"$T/in1" || fail "sendmail exit $?"
wait_until 10 has_delivered 1 || fail "message 1 not delivered"
printf 'From: Cron Daemon <root@example.org>\r\nTo: root@example.org\r\nSubject: dots\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <fixed@example.org>\r\n\r\n.\r\n.leading dot\r\n..two dots\r\nbare CR\r\nhere\r\nno final newline\r\n' >"$T/want1"
# Pickup puts one trace field on top (received_header); everything after it is the input.
head -1 "$(eml 1)" | grep -q "^Received: by relay.example.org (nullrelay, from userid $(id -u))" ||
    fail "no Received: naming the submitter: $(head -2 "$(eml 1)")"
tail -n +3 "$(eml 1)" | cmp - "$T/want1" || fail "message 1 is not byte-exact"
assert_eq "$(json_field 1 mail_from)" "root@example.org" "envelope sender"
assert_eq "$(json_field 1 rcpt_tos)" '["root@example.org"]' "envelope recipients"
assert_eq "$(json_field 1 tls)" "true" "delivered over TLS"
assert_eq "$(json_field 1 auth_user)" "test" "authenticated"
# Credentials and mail only ever travel inside TLS.
grep -E '^[0-9]+ C: (AUTH|MAIL|RCPT|DATA)' "$SH/transcript.log" && fail "command sent in clear"
grep -q '^1 C~: AUTH PLAIN' "$SH/transcript.log" || fail "no AUTH inside TLS"
pass "complete message byte-exact over STARTTLS+AUTH"

# 2. Missing headers are added, before the body, and nothing else changes.
printf 'Subject: bare\nTo: root\n\nhello\n' | sendmail -i -f cron root || fail "sendmail 2"
wait_until 10 has_delivered 2 || fail "message 2 not delivered"
assert_eq "$(json_field 2 mail_from)" "cron@example.org" "-f sender qualified"
head -c 200 "$(eml 2)" | grep -q $'^Subject: bare\r$' || fail "Subject first"
grep -qE $'^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} 20[0-9]{2} [0-9:]{8} [-+][0-9]{4}\r$' "$(eml 2)" || fail "Date added"
grep -qE $'^Message-ID: <[0-9]{14}\\.[0-9A-F]{16}@relay\\.example\\.org>\r$' "$(eml 2)" || fail "Message-ID added"
grep -q $'^From: cron@example.org\r$' "$(eml 2)" || fail "From added"
tail -c 9 "$(eml 2)" | cmp - <(printf '\r\nhello\r\n') || fail "body intact after the blank line"
pass "missing Date, Message-ID and From added"

# 3. Without -i a lone dot ends the message (sendmail and Postfix behaviour).
printf 'Subject: cut\n\nbefore\n.\nafter\n' | sendmail root || fail "sendmail 3"
wait_until 10 has_delivered 3 || fail "message 3 not delivered"
grep -q 'before' "$(eml 3)" || fail "text before the dot"
grep -q 'after' "$(eml 3)" && fail "text after the lone dot was sent"
pass "lone dot ends the message without -i"

# 4. -t reads recipients from To/Cc/Bcc; Bcc does not reach the wire.
printf 'To: a@example.net, "B, Person" <b@example.net>\nCc: c@example.net\nBcc: hidden@example.net\nSubject: t\n\nx\n' | sendmail -t -i || fail "sendmail 4"
wait_until 10 has_delivered 4 || fail "message 4 not delivered"
assert_eq "$(json_field 4 rcpt_tos)" '["a@example.net", "b@example.net", "c@example.net", "hidden@example.net"]' "-t recipients"
grep -qi '^Bcc:' "$(eml 4)" && fail "Bcc header sent"
pass "-t recipients, Bcc removed"

wait_until 5 queue_empty || fail "queue not empty after delivery"
[ -z "$(ls "$SPOOL/data")" ] || fail "data files left behind"
pass "queue empty"
