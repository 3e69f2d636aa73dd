# 8-bit mail and long lines reach a smarthost without 8BITMIME as 7-bit MIME (docs/queue.md,
# "7-bit on the wire"). The smarthost refuses any octet over 127 and any line over 998 octets;
# each message must get through and decode, with Python's email package, to what was
# submitted: an 8-bit text body without MIME headers, one labelled 8bit, a multipart with an
# 8-bit text and a binary attachment, a 5,000-octet line, an attached message with 8-bit
# content. A 7-bit message passes byte for byte. An 8-bit address in the header is bounced,
# not sent. Past the MIME limits, sendmail refuses the message (exit 65).
source "$(dirname "$0")/lib.sh"
start_smarthost --no-8bitmime
start_daemon

mkdir -p "$T/msgs"
$PY "$SRC/tests/integration/check_mime.py" make "$T/msgs"
n=0
for name in plain eightbit multipart longline attached seven; do
    sendmail -i admin@example.net <"$T/msgs/$name.eml" || fail "$name: sendmail exit $?"
    n=$((n + 1))
    wait_until 20 has_delivered $n || fail "$name: not delivered: $(tail -3 "$T/daemon.log")"
    extra=()
    [ "$name" == seven ] && extra=(--byte-for-byte)
    $PY "$SRC/tests/integration/check_mime.py" compare "$T/msgs/$name.eml" "$(eml $n)" "${extra[@]}" ||
        fail "$name: the smarthost's copy differs (above)"
    pass "$name: 7-bit on the wire, decodes to what was submitted"
done
# The check can fail: the raw 8-bit submission is no 7-bit SMTP data.
! $PY "$SRC/tests/integration/check_mime.py" compare "$T/msgs/plain.eml" "$T/msgs/plain.eml" \
    >/dev/null || fail "check_mime.py passes a raw 8-bit message"
grep -q "refused:" "$SH/transcript.log" && fail "the smarthost refused something: $(grep refused: "$SH/transcript.log")"
grep -q "^Content-Transfer-Encoding: quoted-printable" "$(eml 1)" || fail "plain: not quoted-printable"
grep -q "^Content-Transfer-Encoding: base64" "$(eml 2)" || fail "Cyrillic text: not base64"
pass "quoted-printable for Latin text, base64 for Cyrillic"

# The smarthost does refuse raw 8-bit data: what nullrelay sent before this downgrade.
printf 'Subject: raw\r\n\r\ncaf\xc3\xa9\r\n.\r\n' >"$T/raw"
reply=$($PY - "$SMARTHOST_PORT" "$T/certs/ca.crt" "$T/raw" <<'PY'
import smtplib, ssl, sys
port, ca, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = smtplib.SMTP("127.0.0.1", port)
s.starttls(context=ssl.create_default_context(cafile=ca))
s.login("test", "secret")
s.mail("root@example.org"); s.rcpt("admin@example.net")
s.putcmd("DATA"); s.getreply()
s.send(open(path, "rb").read())
print(s.getreply()[0])
PY
)
assert_eq "$reply" 554 "the test smarthost refuses raw 8-bit data"
pass "the smarthost without 8BITMIME refuses raw 8-bit data"

# An 8-bit address in the header cannot be encoded: a bounce to the sender, nothing sent.
printf 'From: j\xc3\xb6rg@example.org\nSubject: unsendable\n\nbody\n' |
    sendmail -i -f alice@example.org admin@example.net || fail "unsendable: sendmail exit $?"
n=$((n + 1))
wait_until 20 has_delivered $n || fail "no bounce: $(tail -3 "$T/daemon.log")"
assert_eq "$(json_field $n mail_from)" "" "the bounce comes from <>"
assert_eq "$(json_field $n rcpt_tos)" '["alice@example.org"]' "the bounce goes to the sender"
grep -q "^Status: 5.6.9" "$(eml $n)" || fail "bounce without Status: 5.6.9"
grep -q "SMTPUTF8" "$(eml $n)" || fail "bounce does not say why"
grep -q "status=bounced (header field From: " "$T/daemon.log" || fail "no bounce log line"
grep -q "Subject: unsendable" "$SH/transcript.log" && fail "the unsendable message was sent"
$PY "$SRC/tests/integration/check_mime.py" wire "$(eml $n)" || fail "the bounce itself is not 7-bit"
pass "an 8-bit address in From: is bounced with 5.6.9, never sent"

# Fixed limits, refused at submission with a clear message.
$PY - "$T" <<'PY'
import sys
t = sys.argv[1]
def parts(n):
    return (b"Content-Type: multipart/mixed; boundary=p\n\n"
            + b"".join(b"--p\n\n\xc3\xa9 %d\n" % i for i in range(n)) + b"--p--\n")
def nested(depth):
    head = b"".join(b"Content-Type: multipart/mixed; boundary=n%d\n\n--n%d\n" % (i, i)
                    for i in range(depth))
    tail = b"".join(b"--n%d--\n" % i for i in reversed(range(depth)))
    return b"From: root@example.org\nTo: admin@example.net\nSubject: nested\n" + head + b"\n\xc3\xa9t\xc3\xa9\n" + tail
open(f"{t}/parts100001", "wb").write(parts(100001))
open(f"{t}/nested50", "wb").write(nested(50))
open(f"{t}/nested101", "wb").write(nested(101))
PY
for case in "parts100001:more than 100000 MIME parts" "nested101:nested more than 100 deep"; do
    file=${case%%:*} want=${case#*:}
    set +e
    sendmail -i admin@example.net <"$T/$file" 2>"$T/err"; rc=$?
    set -e
    assert_eq "$rc" 65 "$file: exit status"
    grep -q "$want" "$T/err" || fail "$file: message: $(cat "$T/err")"
done
assert_eq "$(ids_in "$SPOOL/maildrop" "$SPOOL/queue")" 0 "nothing queued from refused messages"
sendmail -i admin@example.net <"$T/nested50" || fail "50 levels: exit $?"
n=$((n + 1))
wait_until 20 has_delivered $n || fail "50 levels not delivered"
$PY "$SRC/tests/integration/check_mime.py" compare "$T/nested50" "$(eml $n)" || fail "50 levels differ"
pass "100,001 parts and 101 levels refused at submission (65); 50 levels delivered intact"
