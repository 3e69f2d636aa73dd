# When no token can be had, mail waits; it never bounces. A revoked refresh token: the reason in
# mailq, the log and `nullrelay oauth2 status` names the file and says to run `nullrelay oauth2
# login`, and after that login the mail goes. A token endpoint that cannot be reached: deferred
# with the connection error, retried, delivered once it is back.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/oauth2.sh"

start_oauth2
start_oauth2_smarthost
write_oauth2_config refresh_token "oauth2_device_url = $OAUTH2_URL/devicecode" "queue_lifetime = 1h"
device_login
start_daemon
printf 'Subject: one\n\nbody\n' | sendmail -i root@example.net
wait_until 10 has_delivered 1 || fail "not delivered: $(tail -5 "$T/daemon.log")"

# 1. The provider revokes the grant (the user changed their password, an admin revoked it).
oauth2_control revoke
printf 'Subject: two\n\nbody\n' | sendmail -i root@example.net
wait_until 10 deferred_in_queue 1 || fail "not deferred: $(tail -5 "$T/daemon.log")"
HINT="OAuth2: the token endpoint refused the refresh token in $STATE/oauth2-refresh-token: invalid_grant (Token <redacted> has been expired or revoked.); it was revoked or has expired: run \`nullrelay oauth2 login\`"
reason=$(queued_reason)
[ "$reason" == "localhost:$SMARTHOST_PORT: $HINT" ] || fail "mailq reason: $reason"
nullrelay queue | grep -qF "run \`nullrelay oauth2 login\`" || fail "mailq: $(nullrelay queue)"
grep -qF "warning: $HINT" "$T/daemon.log" || fail "log: $(tail -5 "$T/daemon.log")"
grep -qF "status=deferred (localhost:$SMARTHOST_PORT: $HINT)" "$T/daemon.log" || fail "log: $(tail -5 "$T/daemon.log")"
rc=0; out=$(nullrelay oauth2 status) || rc=$?
assert_eq $rc 75 "status with an error: EX_TEMPFAIL"
grep -qF "last error:     " <<<"$out" && grep -qF "$HINT" <<<"$out" || fail "status: $out"
# It waits: retried (retry_min 1s) and still queued, never bounced.
wait_until 10 grep -q "tries=3, dsn=4.4.0, status=deferred" "$T/daemon.log" || fail "not retried"
assert_eq "$(queue_id_count)" 1 "still queued"
assert_eq "$(delivered_count)" 1 "nothing sent, no bounce either"
grep -q "bounced" "$T/daemon.log" && fail "bounced"
pass "revoked: deferred, with the file and the hint to log in, in mailq, log and status"

device_login
nullrelay flush >/dev/null 2>&1 || true
wait_until 10 has_delivered 2 || fail "not delivered after the new login: $(tail -5 "$T/daemon.log")"
out=$(nullrelay oauth2 status) || fail "status after the login: $out"
grep -q "^last error: *none$" <<<"$out" || fail "status: $out"
pass "after a new login the waiting mail goes"
stop_daemon

# 2. The token endpoint is down (the daemon has no token in memory after a restart).
stop_oauth2
start_daemon
printf 'Subject: three\n\nbody\n' | sendmail -i root@example.net
wait_until 10 grep -q "tries=2, dsn=4.4.0, status=deferred (localhost:$SMARTHOST_PORT: OAuth2: cannot reach $OAUTH2_URL/token: Failed to connect" "$T/daemon.log" ||
    fail "not deferred with the connection error: $(tail -5 "$T/daemon.log")"
wait_until 10 deferred_in_queue 1 || fail "not deferred in the queue"
assert_eq "$(delivered_count)" 2 "nothing sent meanwhile"
grep -q "bounced" "$T/daemon.log" && fail "bounced"
start_oauth2
wait_until 15 has_delivered 3 || fail "not delivered once the endpoint is back: $(tail -5 "$T/daemon.log")"
assert_eq "$(queue_id_count)" 0 "queue empty"
pass "an unreachable token endpoint defers, never bounces; delivered once it is back"
