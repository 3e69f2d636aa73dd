# A user who is not root (nobody, through setpriv) sees with mailq the envelopes of their own
# messages only, and cannot read or change any message; mailq_visibility = all shows them
# every envelope; admin_group members may change the queue. The daemon decides from the
# kernel's credentials on its 0666 socket. Without a daemon a user gets a clear error.
source "$(dirname "$0")/lib.sh"
chmod 755 "$T"  # mktemp made it 0700: nobody must reach the socket and the configuration
mkdir -p "$T/bin" && ln -s "$BIN/nullrelay" "$T/bin/mailq"
as_nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }
as_nobody_in_adm() { setpriv --reuid 65534 --regid 65534 --groups 4 "$@"; }  # adm is gid 4
reload() {
    local before
    before=$(grep -c "configuration reloaded" "$T/daemon.log" || true)
    write_config "retry_min = 1h" "retry_max = 1h" "$@"
    kill -HUP "$DAEMON_PID"
    wait_until 10 bash -c "[ \$(grep -c 'configuration reloaded' '$T/daemon.log') -gt $before ]" ||
        fail "no reload"
}
# expect_refused STATUS TEXT COMMAND...: the command fails with that status and says so.
expect_refused() {
    local want=$1 text=$2 out rc=0; shift 2
    out=$("$@" 2>&1) || rc=$?
    [ "$rc" -eq "$want" ] || fail "$* exit $rc (want $want): $out"
    echo "$out" | grep -q -- "$text" || fail "$*: expected '$text' in: $out"
}

# Two messages from root, one from nobody (its maildrop file owned by nobody, as setgid
# sendmail would leave it), queued while the smarthost is down.
write_config "retry_min = 1h" "retry_max = 1h"
printf 'Subject: secret root report\n\nroot only\n' | sendmail -i ops@example.net
printf 'Subject: another\n\nx\n' | sendmail -i admin@example.net
printf 'Subject: from nobody\n\nhello\n' | sendmail -i friend@example.net
ls -la "$SPOOL/maildrop" >"$T/maildrop.ls"
mine=$(ls "$SPOOL/maildrop" | sort | tail -1)
chown 65534 "$SPOOL/maildrop/$mine"
start_daemon
wait_until 10 deferred_in_queue 3 || fail "not deferred: $(nullrelay queue)"
assert_eq "$(stat -c %a "$SPOOL/control")" 666 "control socket mode"

listing=$(as_nobody "$T/bin/mailq" -C "$CONF") || fail "mailq as nobody exit $?"
echo "$listing" | grep -q "^$mine .* nobody@example.org$" || fail "own message $mine not listed (maildrop was: $(cat "$T/maildrop.ls")): $listing"
echo "$listing" | grep -q "friend@example.net" || fail "own recipient not listed: $listing"
echo "$listing" | grep -Eq "ops@|admin@|root@" && fail "root's envelopes shown to nobody: $listing"
assert_eq "$(echo "$listing" | tail -1)" "-- 0 Kbytes in 1 Request." "nobody's summary"
json=$(as_nobody "$BIN/nullrelay" -C "$CONF" queue --json) || fail "queue --json exit $?"
assert_eq "$(echo "$json" | wc -l)" 1 "one JSON line for nobody"
echo "$json" | grep -q '"submitter": {"uid": 65534, "name": "nobody"}' || fail "json: $json"
assert_eq "$("$T/bin/mailq" -C "$CONF" | tail -1)" "-- 0 Kbytes in 3 Requests." "root sees all"
pass "a user sees only the envelopes of their own messages"

for cmd in "show $mine" "show --body $mine" "hold $mine" "delete $mine" "flush" \
    "release --all" "requeue --all"; do
    expect_refused 77 "permission denied: only root may" as_nobody "$BIN/nullrelay" -C "$CONF" $cmd
done
assert_eq "$(queue_id_count)" 3 "nothing changed"
grep -q "control: uid 65534 (pid [0-9]*) refused: nullrelay delete" "$T/daemon.log" ||
    fail "refusal not logged"
pass "a user can neither read nor change a message, not even their own"

reload "mailq_visibility = all"
listing=$(as_nobody "$T/bin/mailq" -C "$CONF")
assert_eq "$(echo "$listing" | tail -1)" "-- 0 Kbytes in 3 Requests." "mailq_visibility = all"
echo "$listing" | grep -q "Subject" && fail "content shown: $listing"
expect_refused 77 "only root may read messages" as_nobody "$BIN/nullrelay" -C "$CONF" show "$mine"
pass "mailq_visibility = all shows every envelope, still no content"

reload "admin_group = adm"
out=$(as_nobody_in_adm "$BIN/nullrelay" -C "$CONF" hold "$mine") || fail "hold by adm: $out"
assert_eq "$out" "$mine: placed on hold" "hold by an admin_group member"
# Captured first: grep -q stops reading at the match, and with pipefail the writer's SIGPIPE
# would fail the line.
out=$(as_nobody_in_adm "$BIN/nullrelay" -C "$CONF" show "$mine") || fail "show by adm: exit $?"
grep -q "^Subject: from nobody$" <<<"$out" || fail "show by an admin_group member: $out"
expect_refused 77 "root and members of group adm may" \
    as_nobody "$BIN/nullrelay" -C "$CONF" release "$mine"
grep -q "$mine: placed on hold (nullrelay hold by uid 65534)" "$T/daemon.log" || fail "not logged"
pass "admin_group members may change the queue and read messages"

stop_daemon
expect_refused 69 "nullrelayd is not running, and without it only root" \
    as_nobody "$T/bin/mailq" -C "$CONF"
expect_refused 69 "nullrelayd is not running" as_nobody "$BIN/nullrelay" -C "$CONF" hold "$mine"
assert_eq "$("$T/bin/mailq" -C "$CONF" | tail -1)" "-- 0 Kbytes in 3 Requests." "root, no daemon"
pass "without a daemon, only root reaches the queue"
