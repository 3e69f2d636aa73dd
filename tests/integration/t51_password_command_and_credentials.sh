# Where the secret comes from: password_command (a password, or an XOAUTH2 bearer token; run
# without a shell, again after a refused token; a failing helper defers), a systemd credential
# ($CREDENTIALS_DIRECTORY/password), and password files other users could read, refused at
# start. The secret never shows in the log or in the helper's argv.
source "$(dirname "$0")/lib.sh"

# A helper that prints the token from a file and counts its runs. Its arguments reach it as
# given, without a shell: ';' and '$' are plain characters.
HELPER=$T/token-helper
cat >"$HELPER" <<HELPER
#!/bin/sh
echo "\$*" >>"$T/helper.args"
echo run >>"$T/helper.runs"
cat "$T/token"
HELPER
chmod 755 "$HELPER"
runs() { wc -l <"$T/helper.runs" 2>/dev/null || echo 0; }

deliver_once() {  # LABEL: submit one message and run the daemon once
    printf 'Subject: %s\n\nbody\n' "$1" | sendmail -i root@example.net
    "$BIN/nullrelayd" -C "$CONF" --once >>"$T/daemon.log" 2>&1 || true
}

# 1. password_command as a password (PLAIN).
echo secret >"$T/token"
write_config "password_file = " "password_command = $HELPER one; \$HOME"
sed -i '/^password_file = $/d' "$CONF"
start_smarthost
deliver_once "password from a command"
assert_eq "$(delivered_count)" 1 "delivered with the command's password"
assert_eq "$(json_field 1 auth_user)" "test" "authenticated"
assert_eq "$(head -1 "$T/helper.args")" 'one; $HOME' "arguments passed as is, no shell"
pass "password_command supplies the password, no shell involved"
stop_smarthost

# 2. XOAUTH2: the command's output is the bearer token; a refused token defers the message
#    and the helper runs again at the next attempt.
rm -rf "$SH"; mkdir -p "$SH"
echo stale-token >"$T/token"
: >"$T/helper.runs"
write_config "password_command = $HELPER" "auth_mechanism = xoauth2"
sed -i '/^password_file = /d' "$CONF"
start_smarthost --auth-mechs XOAUTH2,PLAIN --password fresh-token
# One running daemon throughout: the token it fetched is dropped when refused.
start_daemon
printf 'Subject: oauth\n\nbody\n' | sendmail -i root@example.net
wait_until 10 grep -q "AUTH XOAUTH2 as 'test': rejected" "$SH/transcript.log" ||
    fail "XOAUTH2 was not used: $(cat "$SH/transcript.log")"
wait_until 10 deferred_in_queue 1 || fail "not deferred after the refusal"
assert_eq "$(delivered_count)" 0 "a refused token delivers nothing"
assert_eq "$(queue_id_count)" 1 "still queued after the refused token"
echo fresh-token >"$T/token"
wait_until 15 has_delivered 1 || fail "not delivered with the new token"
grep -q "AUTH XOAUTH2 as 'test': ok" "$SH/transcript.log" || fail "XOAUTH2 did not succeed"
[ "$(runs)" -ge 2 ] || fail "the helper ran $(runs) time(s); expected again after the refusal"
stop_daemon
grep -Eq '^[0-9]+ C~?: AUTH PLAIN' "$SH/transcript.log" && fail "fell back to PLAIN"
pass "XOAUTH2 bearer from the command; a refused token is fetched again"
stop_smarthost

# 3. A failing helper defers, with its complaint (stderr) in the log but never its stdout.
rm -rf "$SH"; mkdir -p "$SH"
printf '#!/bin/sh\necho half-a-secret\necho "keyring locked" >&2\nexit 3\n' >"$T/failing"
chmod 755 "$T/failing"
rm -f "$SPOOL"/queue/* "$SPOOL"/data/*
write_config "password_command = $T/failing"
sed -i '/^password_file = /d' "$CONF"
start_smarthost
deliver_once "failing helper"
stop_smarthost
assert_eq "$(queue_id_count)" 1 "kept queued when the helper fails"
grep -q "exit status 3 (it said: keyring locked)" "$T/daemon.log" || fail "no helper error logged"
grep -q "half-a-secret" "$T/daemon.log" && fail "the helper's stdout reached the log"
pass "a failing helper defers the message and is reported"
rm -f "$SPOOL"/queue/* "$SPOOL"/data/*

# 4. A systemd credential when no password_file or password_command is set.
rm -rf "$SH"; mkdir -p "$SH"
mkdir -m 700 "$T/creds"
echo secret >"$T/creds/password"
chmod 400 "$T/creds/password"
write_config
sed -i '/^password_file = /d' "$CONF"
start_smarthost
printf 'Subject: cred\n\nbody\n' | sendmail -i root@example.net
CREDENTIALS_DIRECTORY=$T/creds "$BIN/nullrelayd" -C "$CONF" --once >>"$T/daemon.log" 2>&1
assert_eq "$(delivered_count)" 1 "delivered with the systemd credential"
rc=0; "$BIN/nullrelayd" -C "$CONF" --once >"$T/nocred.log" 2>&1 || rc=$?
assert_eq $rc 78 "no secret anywhere: EX_CONFIG"
grep -q "CREDENTIALS_DIRECTORY is not set" "$T/nocred.log" || fail "unclear error: $(cat "$T/nocred.log")"
pass "systemd credential used; none at all is a configuration error"
stop_smarthost

# 5. Password files other users can read are refused at start.
write_config
for mode in 644 640; do
    chmod $mode "$T/password"
    chgrp nogroup "$T/password"
    rc=0; "$BIN/nullrelayd" -C "$CONF" --once >"$T/refused.log" 2>&1 || rc=$?
    assert_eq $rc 78 "mode $mode: EX_CONFIG"
    grep -Eq "readable by (every user|its group)" "$T/refused.log" || fail "mode $mode: $(cat "$T/refused.log")"
done
# The daemon's own group too (issue 16, item 5): a group shares the secret with its members
# and its setgid programs.
chgrp "$(id -g)" "$T/password"
rc=0; "$BIN/nullrelayd" -C "$CONF" --once >"$T/owngroup.log" 2>&1 || rc=$?
assert_eq $rc 78 "mode 640, the daemon's own group: EX_CONFIG"
grep -q "readable by its group (gid $(id -g)); chmod 600 it" "$T/owngroup.log" ||
    fail "own group: $(cat "$T/owngroup.log")"
chmod 600 "$T/password"
"$BIN/nullrelayd" -C "$CONF" --once >"$T/owner.log" 2>&1 || fail "mode 600 refused: $(cat "$T/owner.log")"
pass "password files readable by others or by any group, the daemon's own included, are refused"

grep -Eq "secret|fresh-token|stale-token" "$T/daemon.log" && fail "a secret reached the log"
pass "no secret in the log"
