# Issue 15, items 1 and 2: sendmail applies every limit pickup applies, so it never says
# "queued" for a message that pickup would refuse; and whatever pickup still refuses (here a
# maildrop file written past sendmail, and a message over a limit lowered after submission)
# reaches the submitter as a notice from MAILER-DAEMON, through the maps.
source "$(dirname "$0")/lib.sh"

refused() {  # refused STATUS PATTERN INPUT-FILE -- sendmail args...
    local want=$1 pattern=$2 input=$3; shift 4
    set +e
    err=$(sendmail "$@" <"$input" 2>&1 >/dev/null)
    rc=$?
    set -e
    assert_eq "$rc" "$want" "exit status of sendmail ${*:0:4}..."
    echo "$err" | grep -q -- "$pattern" || fail "message for sendmail ${*:0:4}...: '$err'"
}

# 10,001 recipients on the command line: refused, where it used to exit 0.
printf 'Subject: many\n\nbody\n' >"$T/small"
mapfile -t many < <(seq -f 'user%g@example.net' 1 10001)
refused 65 "too many recipients" "$T/small" -- -i "${many[@]}"
# 3,600 recipients of 300 bytes in To: under -t: a header section over 1 MiB.
$PY - "$T/wide" <<'PY'
import sys
to = ",\n ".join(f"{'a' * 280}{i:05}@example.net" for i in range(3600))
open(sys.argv[1], "w").write(f"To: {to}\nSubject: wide\n\nbody\n")
PY
refused 65 "header section is larger than" "$T/wide" -- -t -i
# A header section over the limit with a Bcc: after it: refused whole, the Bcc never leaves.
$PY - "$T/bcc" <<'PY'
import sys
filler = "\n ".join("x" * 1000 for _ in range(1100))
open(sys.argv[1], "w").write(f"Subject: s\nX-Filler: {filler}\nBcc: secret@example.net\n\nbody\n")
PY
refused 65 "header section is larger than" "$T/bcc" -- -i root
# Each refusal left only an empty, unmarked file (the daemon removes those): nothing to send.
assert_eq "$(find "$SPOOL/maildrop" -type f \( -size +0 -o -perm -u+x \) | wc -l)" 0 \
    "nothing to send left in maildrop/"
pass "sendmail refuses what pickup would refuse (recipients, header section)"

# Exactly at the limits it is accepted and delivered.
mapfile -t limit < <(seq -f 'u%g@example.net' 1 10000)
sendmail -i "${limit[@]}" <"$T/small" || fail "10,000 recipients refused"
pass "10,000 recipients accepted"

# What pickup still refuses brings a notice. A file written into maildrop/ past sendmail
# (root can), with 10,001 recipients:
write_config "alias_map = $T/aliases"
echo "/^root\$/ admin@example.net" >"$T/aliases"
{
    echo "nullrelay-maildrop 1"
    seq -f 'rcpt v%g@example.net' 1 10001
    printf 'content\r\nSubject: past sendmail\r\n\r\nbody\r\n'
} >"$SPOOL/maildrop/0619A2B3C4D5E0AA"
chmod 0740 "$SPOOL/maildrop/0619A2B3C4D5E0AA"
# and a message accepted under max_message_size = 1M, refused after the admin lowered it.
head -c 300000 /dev/zero | tr '\0' 'a' | fold -w 100 | { printf 'Subject: big\n\n'; cat; } |
    sendmail -odq -i root || fail "big message refused at submission"
write_config "alias_map = $T/aliases" "max_message_size = 100K"

start_smarthost
start_daemon
# The 10,000-recipient message, and one notice for each refused submission.
wait_until 60 has_delivered 3 || fail "notices not delivered: $(delivered_count)"
wait_until 10 queue_empty || fail "queue not empty"
notices=$(grep -l "refused before it was queued" "$SH"/messages/*.eml | wc -l)
assert_eq "$notices" 2 "notices from MAILER-DAEMON"
for n in $(grep -l "refused before it was queued" "$SH"/messages/*.eml); do
    j=${n%.eml}.json
    $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["mail_from"] == "", d["mail_from"]; assert d["rcpt_tos"] == ["admin@example.net"], d["rcpt_tos"]' "$j" ||
        fail "notice envelope: $(cat "$j")"
done
grep -q "too many recipients" "$SH"/messages/*.eml || fail "the notice does not say why"
grep -q "larger than max_message_size" "$SH"/messages/*.eml || fail "no notice for the size"
assert_eq "$(ls "$SPOOL/corrupt" | wc -l)" 2 "both kept in corrupt/"
grep -q "the submitter is told by" "$T/daemon.log" || fail "log line"
pass "what pickup refuses reaches the submitter (root: the admin) from MAILER-DAEMON"
