# A real unprivileged user against a production-like installation: nullrelay-sendmail setgid to
# the submission group (nullrelay-submit, of which the daemon's user is a member), maildrop/
# 1770 of that group, the queue 0700 owned by the daemon's user, nullrelayd running as that
# user. The user submits (the envelope records their uid) but cannot read the
# password, another user's queued mail, or the queue through mailq/nullrelay; links planted in
# maildrop/ (by root, as a compromised writer would) are quarantined, never followed; and no
# argument or header of theirs gets an SMTP command to the smarthost.
#
# The setgid program honours only /etc/nullrelay/nullrelay.conf for non-root callers, so each
# submission runs in a private mount namespace whose /etc is an overlay holding the test's
# configuration; the real /etc is never changed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/unprivileged.sh"

user_sendmail() { as_user "$T/bin/nullrelay-sendmail" "$@"; }

start_smarthost
start_daemon_as_daemon_user

# 1. The user submits; the envelope records their uid, whatever they claim.
printf 'Subject: from a user\n\nhello\n' | user_sendmail -i -f claimed@example.org someone@example.net ||
    fail "the user could not submit"
wait_until 10 has_delivered 1 || fail "the user's message was not delivered"
grep -q "uid=$USR_UID from=<claimed@example.org>" "$T/daemon.log" || fail "uid not recorded: $(cat "$T/daemon.log")"
pass "the user submits; the envelope records uid $USR_UID"

# 2. The password file is out of reach.
as_user cat "$T/secret/password" >/dev/null 2>&1 && fail "the user read the password file"
pass "the user cannot read the password file"

# 2b. What the setgid program's group gives (issue 16, item 5): maildrop/, not anything of the
#     daemon's own group (a file of that group, mode 0640, in a directory the user may enter).
as_submit_group() { setpriv --reuid="$USR" --regid="$SUBMIT_GRP" --clear-groups "$@"; }
as_submit_group touch "$SPOOL/maildrop/.probe" || fail "the submission group cannot create in maildrop/"
rm -f "$SPOOL/maildrop/.probe"
install -o "$DAEMON_USR" -g "$DAEMON_USR" -m 0640 /dev/null "$T/secret/group-file"
chmod 755 "$T/secret"
as_submit_group cat "$T/secret/group-file" >/dev/null 2>&1 &&
    fail "the submission group reads a file of the daemon's group"
chmod 700 "$T/secret"
rm -f "$T/secret/group-file"
pass "the submission group writes maildrop/ but cannot read the daemon's group's files"

# 3. Another user's (root's) message, kept queued by a 4xx: neither its files nor a listing.
cat >"$SH/faults.json.tmp" <<'JSON'
{"rules": [{"stage": "rcpt", "match": "held", "reply": "451 4.3.0 Try again later"}]}
JSON
mv "$SH/faults.json.tmp" "$SH/faults.json"
printf 'Subject: private\n\nroot-private-text\n' | "$T/bin/nullrelay-sendmail" -C "$CONF" -i held@example.net
wait_until 10 grep -q "held@example.net.*deferred" "$T/daemon.log" || fail "not deferred"
as_user sh -c "cat '$SPOOL'/data/* '$SPOOL'/queue/* '$SPOOL'/maildrop/*" >"$T/peek" 2>&1 || true
as_user ls "$SPOOL/queue" "$SPOOL/data" "$SPOOL/maildrop" >>"$T/peek" 2>&1 || true
user_sendmail -bp >>"$T/peek" 2>&1 || true
as_user "$T/bin/nullrelay" -C "$CONF" queue >>"$T/peek" 2>&1 || true
grep -Eq "root-private-text|held@example|[0-9A-F]{16}" "$T/peek" && fail "the user saw queued mail: $(cat "$T/peek")"
grep -q "Permission denied" "$T/peek" || fail "expected refusals: $(cat "$T/peek")"
pass "the user cannot read another user's queued message, its files or a listing"

# 4. Links planted in maildrop/ are quarantined, never followed; mail still flows.
# Renamed into place, as a writer completing a submission would (the daemon watches renames).
ln -s "$T/secret/password" "$SPOOL/maildrop/.planted1"
mv -T "$SPOOL/maildrop/.planted1" "$SPOOL/maildrop/6600000000000001"
ln "$T/secret/password" "$SPOOL/maildrop/.planted2"
mv -T "$SPOOL/maildrop/.planted2" "$SPOOL/maildrop/6600000000000002"
wait_until 10 grep -q "maildrop/6600000000000001: symbolic link; moved to corrupt/" "$T/daemon.log" ||
    fail "the symlink was not quarantined: $(cat "$T/daemon.log")"
wait_until 10 grep -q "maildrop/6600000000000002: more than one link; moved to corrupt/" "$T/daemon.log" ||
    fail "the hard link was not quarantined"
assert_eq "$(cat "$T/secret/password")" "secret" "password file untouched"
grep -rq "^secret" "$SH/messages" && fail "the password was sent"
printf 'Subject: after links\n\nstill flowing\n' | user_sendmail -i someone@example.net
wait_until 10 has_delivered 2 || fail "mail stopped flowing after the planted links"
pass "planted symlink and hard link quarantined; nothing followed; mail flows"

# 5. Injection attempts through every argument and a header. Each is refused or neutralised;
#    the smarthost must never see a command the user wrote.
CRLF=$'\r\n'
refused() {  # the arguments are refused with a usage or data error before any file is kept
    local rc=0
    user_sendmail "$@" </dev/null 2>>"$T/refusals" || rc=$?
    [ $rc -eq 64 ] || [ $rc -eq 65 ] || fail "exit $rc for: $*"
}
refused -i -f "a@example.org>${CRLF}RCPT TO:<evil1@example.net" x@example.net
refused -i -F "Name${CRLF}RCPT TO:<evil2@example.net>" x@example.net
refused -i -V "env${CRLF}RCPT TO:<evil3@example.net>" x@example.net
refused -i -N "success${CRLF}RCPT TO:<evil4@example.net>" x@example.net
refused -i "x@example.net>${CRLF}RCPT TO:<evil5@example.net"
refused -i "x@example.net> NOTIFY=NEVER"
printf 'To: y@example.net,\r\n "z>\r\nRCPT TO:<evil6@example.net>" <z@example.net>\r\nSubject: hdr\r\n\r\nbody\r\n' |
    user_sendmail -i -t 2>/dev/null || true
printf 'To: y@example.net\nBcc: <bcc7@example.net>%sRCPT TO:<evil8@example.net>\n\nbody\n' "$(printf '\r')" |
    user_sendmail -i -t 2>/dev/null || true
only_held_left() { [ "$(queued_count)" -le 1 ]; }  # root's deferred message
wait_until 15 only_held_left || fail "submissions still queued: $(ls "$SPOOL/queue")"
sleep 1
grep -E '^[0-9]+ C~?: ' "$SH/transcript.log" | grep -Ei "evil|NOTIFY" &&
    fail "an injected command reached the smarthost"
for j in "$SH"/messages/*.json; do
    grep -q '"evil' "$j" && fail "an injected recipient was accepted: $j"
done
pass "no SMTP command injected through -f, -F, -V, -N, recipients or headers"

# 6. Without the daemon, root's mailq acts as the spool's owner with the submission group too:
#    it reads the user's submission (its file of that group) in maildrop/ (issue 16, item 5).
stop_daemon
printf 'Subject: waiting\n\nbody\n' | user_sendmail -i waiting@example.net || fail "submit without daemon"
"$BIN/nullrelay" -C "$CONF" queue --json >"$T/offline.json" 2>"$T/offline.err" ||
    fail "root's listing without the daemon: $(cat "$T/offline.err")"
grep -q "waiting@example.net" "$T/offline.json" ||
    fail "root's listing without the daemon lacks the user's submission: $(cat "$T/offline.json" "$T/offline.err")"
pass "without the daemon, root lists a submission of the submission group's"
