# What sendmail does with unusual messages (man/nullrelay-sendmail.8, MESSAGE HANDLING): an empty
# message still goes out with the added headers; an mbox "From " line is dropped; lines over
# 998 octets are encoded (t16 has the 7-bit downgrade in full), a NUL byte in a 7-bit message
# passes through; a 100 MB message is refused whole under the default limit, and delivered
# intact under a larger one.
source "$(dirname "$0")/lib.sh"
start_smarthost --max-size 209715200
start_daemon

sendmail -i root@example.net </dev/null || fail "empty message exit $?"
wait_until 10 has_delivered 1 || fail "empty message not delivered"
for h in Date Message-ID From; do grep -q "^$h: " "$(eml 1)" || fail "empty message lacks $h"; done
assert_eq "$(grep -c '' "$(eml 1)")" 5 "empty message is the added headers (Received: is two lines)"
pass "empty message delivered with the added headers"

printf 'From root@host Sat Nov 21 10:00:00 2026\nSubject: mbox\n\nFrom here on, text.\n' | sendmail -i root@example.net
wait_until 10 has_delivered 2 || fail "mbox message"
sed -n 3p "$(eml 2)" | grep -q '^Subject: mbox' || fail "mbox From line kept: $(sed -n 3p "$(eml 2)")"
grep -q $'^From here on, text.\r$' "$(eml 2)" || fail "a body line starting with 'From ' was changed"
pass "leading mbox From line dropped, body From kept"

long=$(head -c 5000 /dev/zero | tr '\0' 'x')
printf 'Subject: long\nX-Long: %s\n\n%s\nshort\n' "$long" "$long" >"$T/long"
sendmail -i root@example.net <"$T/long"
wait_until 10 has_delivered 3 || fail "long-line message"
$PY "$SRC/tests/integration/check_mime.py" wire "$(eml 3)" || fail "a line over 998 octets was sent"
$PY - "$(eml 3)" "$long" <<'PY' || fail "long lines do not decode to what was sent"
import email.policy, sys
from email.parser import BytesParser
m = BytesParser(policy=email.policy.default).parsebytes(open(sys.argv[1], "rb").read())
long = sys.argv[2]
assert str(m["X-Long"]) == long, m["X-Long"]
assert m.get_payload(decode=True).replace(b"\r\n", b"\n") == (long + "\nshort\n").encode()
PY
pass "5000-octet lines are encoded (header RFC 2047, body quoted-printable) and decode intact"

printf 'Subject: nul\n\nnul\0byte\n' | sendmail -i root@example.net
wait_until 10 has_delivered 4 || fail "NUL message"
grep -qa $'^nul\x00byte\r$' "$(eml 4)" || fail "NUL byte not passed through"
pass "a NUL byte in a 7-bit message passes through"

head -c 74000000 /dev/urandom | base64 -w 76 >"$T/big"  # 100 MB of 77-octet lines
set +e
sendmail -i root@example.net <"$T/big" 2>"$T/err"; rc=$?
set -e
assert_eq "$rc" 65 "100 MB over the default 50M limit"
grep -q "larger than the limit of 52428800 bytes" "$T/err" || fail "limit message: $(cat "$T/err")"
sleep 0.5
assert_eq "$(find "$SPOOL/maildrop" "$SPOOL/queue" -type f | wc -l)" 0 "nothing queued from the refused message"
pass "100 MB refused whole under the default limit"

write_config "max_message_size = 200M"
kill -HUP "$DAEMON_PID"  # the daemon checks the limit too: reload it
wait_until 10 grep -q "configuration reloaded" "$T/daemon.log" || fail "no reload"
sendmail -i root@example.net <"$T/big" || fail "100 MB exit $?"
wait_until 120 has_delivered 5 || fail "100 MB message not delivered"
# The stored message is the input with CRLF line ends and the added headers first (Received:
# on two lines, Date, Message-ID, From).
tail -n +6 "$(eml 5)" | tail -c +3 | tr -d '\r' | cmp - "$T/big" || fail "100 MB body differs"
pass "100 MB delivered intact under max_message_size = 200M"
