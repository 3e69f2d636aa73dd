# The daemon log: one line per recipient attempt in the Postfix-like format (to, orig_to,
# relay, delay, tries, dsn, status and the reply), and never a credential: not the password,
# not the AUTH PLAIN or LOGIN base64, not even with --verbose, which logs the SMTP dialogue
# with the AUTH lines redacted.
source "$(dirname "$0")/lib.sh"
echo '{"rules": [{"stage": "rcpt", "match": "nobody", "reply": "550 5.1.1 No such user"}]}' >"$SH/faults.json"
ID='[0-9A-F]\{16\}'
RELAY="localhost\[127.0.0.1\]:$SMARTHOST_PORT"
no_secrets() {
    for s in secret c2VjcmV0 AHRlc3QAc2VjcmV0 dGVzdABzZWNyZXQ; do
        grep -q "$s" "$T/daemon.log" && fail "'$s' appears in the daemon log: $(grep "$s" "$T/daemon.log")"
    done
    return 0
}

# Deferred (smarthost down), then sent with orig_to, and bounced.
start_daemon --verbose
printf 'Subject: log\n\nx\n' | sendmail -i root nobody@example.net
wait_until 10 grep -q "status=deferred" "$T/daemon.log" || fail "no deferral"
grep -q "^$ID: to=<root@example.org>, orig_to=<root>, relay=localhost:$SMARTHOST_PORT, delay=[0-9]*\.[0-9], tries=1, dsn=4.4.0, status=deferred (localhost:$SMARTHOST_PORT: Failed to connect to localhost port $SMARTHOST_PORT after [0-9]* ms: Couldn't connect to server)$" \
    "$T/daemon.log" || fail "deferred line: $(grep deferred "$T/daemon.log")"
start_smarthost
wait_until 10 has_delivered 2 || fail "not delivered after the smarthost came up"
grep -q "^$ID: to=<root@example.org>, orig_to=<root>, relay=$RELAY, delay=[0-9]*\.[0-9], tries=[0-9]*, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 000001)$" \
    "$T/daemon.log" || fail "sent line: $(grep 'status=sent' "$T/daemon.log")"
grep -q "^$ID: to=<nobody@example.net>, relay=$RELAY, delay=[0-9]*\.[0-9], tries=[0-9]*, dsn=5.1.1, status=bounced (550 5.1.1 No such user)$" \
    "$T/daemon.log" || fail "bounced line"
grep -q "^$ID: $RELAY: > AUTH PLAIN <redacted>$" "$T/daemon.log" || fail "--verbose: no redacted AUTH line"
grep -q "^$ID: $RELAY: < 235 2.7.0 Authentication successful$" "$T/daemon.log" || fail "--verbose: no 235"
grep -q "^$ID: $RELAY: > RCPT TO:<nobody@example.net>$" "$T/daemon.log" || fail "--verbose: no RCPT"
grep -q "C~: AUTH PLAIN AHRlc3QAc2VjcmV0" "$SH/transcript.log" || fail "the test's secret is not what was sent"
no_secrets
pass "deferred, sent and bounced lines; AUTH PLAIN redacted"
stop_daemon
stop_smarthost

# AUTH LOGIN (username and password as separate base64 lines), and a rejected password.
start_smarthost --auth-mechs LOGIN
start_daemon --verbose
printf 'Subject: login\n\nx\n' | sendmail -i login@example.net
wait_until 10 has_delivered 3 || fail "not delivered with AUTH LOGIN"  # 2 = the bounce
grep -q "^$ID: $RELAY: > <redacted>$" "$T/daemon.log" || fail "--verbose: LOGIN continuation not redacted"
grep -q "C~: c2VjcmV0" "$SH/transcript.log" || fail "AUTH LOGIN was not used"
stop_daemon
echo wrong-secret-password >"$T/password"
start_daemon --verbose
printf 'Subject: denied\n\nx\n' | sendmail -i denied@example.net
wait_until 10 grep -q "to=<denied@example.net>.*status=deferred" "$T/daemon.log" || fail "no deferral on bad password"
grep -q "to=<denied@example.net>.*status=deferred (.*Login denied.*535" "$T/daemon.log" ||
    fail "the reason for the AUTH failure is not logged: $(grep denied@ "$T/daemon.log")"
grep -q "wrong-secret-password\|d3JvbmctbZWNyZXQ\|d3Jvbmctc2VjcmV0LXBhc3N3b3Jk" "$T/daemon.log" && fail "rejected password in the log"
no_secrets
pass "AUTH LOGIN and a rejected password: nothing secret in the log"

# Issue 16, item 4: nor in a core file: the running daemon cannot dump core.
grep -Eq '^Max core file size +0 +0 ' "/proc/$DAEMON_PID/limits" ||
    fail "the daemon may dump core: $(grep -i core "/proc/$DAEMON_PID/limits")"
pass "no core dump can hold the secret (core size 0, not dumpable)"
