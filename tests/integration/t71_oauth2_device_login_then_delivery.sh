# OAuth2 refresh token obtained once by `nullrelay oauth2 login` with the device authorization
# grant (RFC 8628, Microsoft's way for a machine without a browser): before the login mail
# waits in the queue with a reason that says to log in; the login shows a URL and a code, the
# person opens it on another device, and the refresh token is saved (daemon user, mode 0600);
# the running daemon uses it at its next attempt, without a reload. Run by root with a spool
# owned by an unprivileged daemon user, the login runs as that user and its file is theirs.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/oauth2.sh"

start_oauth2
start_oauth2_smarthost
write_oauth2_config refresh_token "oauth2_device_url = $OAUTH2_URL/devicecode" \
    "oauth2_scope = https://outlook.office.com/SMTP.Send offline_access"

# 1. Before the login: queued, with the hint.
start_daemon
grep -q "warning: OAuth2: no refresh token yet ($STATE/oauth2-refresh-token does not exist): run \`nullrelay oauth2 login\`; mail stays queued until then" "$T/daemon.log" ||
    fail "no start-up warning: $(cat "$T/daemon.log")"
printf 'Subject: before login\n\nbody\n' | sendmail -i root@example.net
wait_until 10 deferred_in_queue 1 || fail "not deferred"
queued_reason | grep -q "OAuth2: no refresh token yet ($STATE/oauth2-refresh-token does not exist): run \`nullrelay oauth2 login\`" ||
    fail "mailq reason: $(queued_reason)"
nullrelay queue | grep -q "run \`nullrelay oauth2 login\`" || fail "mailq does not show the hint"
pass "before the login, mail waits with a hint to log in"

# 2. The login, then delivery by the running daemon.
device_login
grep -q "To let nullrelay send mail as test, open on any device" "$T/login.out" || fail "$(cat "$T/login.out")"
grep -q "The code is valid for 5 minutes. Waiting for the sign-in..." "$T/login.out" || fail "$(cat "$T/login.out")"
assert_eq "$(stat -c '%u %a' "$STATE/oauth2-refresh-token")" "$(id -u) 600" "refresh token file"
grep -q "^rt-" "$STATE/oauth2-refresh-token" || fail "no refresh token in the file"
nullrelay flush --wait >/dev/null 2>&1 || true
wait_until 10 has_delivered 1 || fail "not delivered after the login: $(tail -5 "$T/daemon.log")"
[[ "$(bearer_of 1)" == at-* ]] || fail "no provider token used"
assert_eq "$(token_requests refresh_token)" 1 "one refresh by the daemon"
out=$(nullrelay oauth2 status) || fail "status: $out"
grep -q "^refresh token: *$STATE/oauth2-refresh-token, saved " <<<"$out" || fail "status: $out"
grep -q "expires when the provider decides (it did not say)" <<<"$out" || fail "status: $out"
pass "device login, then the waiting mail is delivered without a reload"
stop_daemon

# 3. Root logs in for an unprivileged daemon user: the file is that user's.
DUSER=nroa$$
useradd -M -N -g nogroup -d /nonexistent -s /usr/sbin/nologin "$DUSER"
CLEANUP_HOOKS+=("userdel $DUSER 2>/dev/null")
chmod 755 "$T"
chmod -R a+rX "$T/certs" "$CONF"
chown -R "$DUSER" "$SPOOL" "$STATE"
rm "$STATE/oauth2-refresh-token"
device_login
assert_eq "$(stat -c '%U %a' "$STATE/oauth2-refresh-token")" "$DUSER 600" "the daemon user's file"
pass "root's login writes the daemon user's file"

# 4. Nobody else: the login needs root or the daemon user.
install -D -m 755 "$BIN/nullrelay" "$T/bin/nullrelay"  # the build tree may be closed to nobody
rc=0; su -s /bin/sh nobody -c "$T/bin/nullrelay -C $CONF oauth2 login" >"$T/nobody.out" 2>&1 </dev/null || rc=$?
assert_eq $rc 77 "another user: EX_NOPERM"
grep -q "needs root (or the owner of the spool $SPOOL, the daemon's user)" "$T/nobody.out" ||
    fail "$(cat "$T/nobody.out")"
pass "other users cannot log in"
