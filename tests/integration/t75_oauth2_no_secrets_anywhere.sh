# No OAuth2 token or secret leaves nullrelayd's memory except to the provider and, as the
# bearer, to the smarthost: not in the log (even with --verbose), not in any program's
# arguments (ps), not in mailq or the queue files, not in what the login and the status print,
# not in the environment or arguments of oauth2_client_secret_command, and never in a core
# file (nullrelayd makes itself non-dumpable). A provider that quotes the refresh token in its
# error is scrubbed too. The same as t39 and t51 check for passwords.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/oauth2.sh"

SECRET=cs-$RANDOM$RANDOM-client
# The client secret from a command that records what it was given.
cat >"$T/secret-helper" <<HELPER
#!/bin/sh
{ echo "args: \$*"; env; } >>"$T/helper.seen"
echo "$SECRET"
HELPER
chmod 755 "$T/secret-helper"
start_oauth2 --client-secret "$SECRET" --rotate --lifetime 600
start_oauth2_smarthost
write_oauth2_config refresh_token "oauth2_device_url = $OAUTH2_URL/devicecode" \
    "oauth2_client_secret_command = $T/secret-helper --for nullrelay"

# Everything secret the provider ever issued or was given, read from its own state.
secrets() {
    echo "$SECRET"
    $PY -c 'import json,sys; s=json.load(open(sys.argv[1]))
for k in ("access","refresh","device","codes"):
    for t in s[k]: print(t)' "$OA/state.json"
}
# Every place to look, as files: the caller names them.
no_secret_in() {
    local f s
    for f in "$@"; do
        while read -r s; do
            grep -qF -- "$s" "$f" && fail "a secret (${s:0:6}...) is in $f: $(grep -F -- "$s" "$f" | head -2)"
        done < <(secrets)
    done
    return 0
}
# (The test provider itself, "Microsoft", is given the client secret on its command line.)
ps_snapshot() { ps -eo args | grep -v oauth2_server.py >>"$T/ps.txt"; }

# Login (device), delivery with --verbose, a token refused and replaced, a rotation, a revoked
# refresh token that the provider quotes back, and a check; with snapshots of ps throughout.
nullrelay oauth2 login </dev/null >"$T/login.out" 2>&1 &
login_pid=$!
wait_until 10 grep -q "enter the code" "$T/login.out" || fail "no code shown"
ps_snapshot
code=$(sed -n '/enter the code/{n;n;p}' "$T/login.out" | tr -d ' ')
oauth2_get "/device?user_code=$code" >/dev/null
wait $login_pid || fail "login: $(cat "$T/login.out")"
start_daemon --verbose
ps_snapshot
printf 'Subject: one\n\nbody\n' | sendmail -i root@example.net
wait_until 10 has_delivered 1 || fail "not delivered: $(tail -5 "$T/daemon.log")"
oauth2_control expire
printf 'Subject: two\n\nbody\n' | sendmail -i root@example.net
wait_until 10 has_delivered 2 || fail "not delivered after a refusal"
grep -q "trying once more with a new one" "$T/daemon.log" || fail "no refusal happened"
grep -q "> AUTH XOAUTH2 <redacted>" "$T/daemon.log" || fail "--verbose shows no redacted AUTH"
ps_snapshot
nullrelay check >"$T/check.out" 2>&1 || fail "check: $(cat "$T/check.out")"
oauth2_control revoke
printf 'Subject: three\n\nbody\n' | sendmail -i root@example.net
wait_until 10 deferred_in_queue 1 || fail "not deferred"
queued_reason | grep -q "Token <redacted> has been expired" || fail "reason: $(queued_reason)"
nullrelay queue >"$T/mailq.txt"
nullrelay queue --json >"$T/queue.json"
nullrelay oauth2 status >"$T/status.out" || true
cat "$SPOOL"/queue/* >"$T/envelopes.txt"
ps_snapshot
[ "$(secrets | wc -l)" -ge 6 ] || fail "too few secrets collected: $(secrets | wc -l)"
grep -q "args: --for nullrelay" "$T/helper.seen" || fail "the secret command did not run"
no_secret_in "$T/daemon.log" "$T/login.out" "$T/check.out" "$T/mailq.txt" "$T/queue.json" \
    "$T/status.out" "$T/envelopes.txt" "$T/ps.txt" "$T/helper.seen" "$STATE/oauth2-status"
pass "no token or secret in the log, ps, mailq, queue files, outputs or the helper's environment"

# Core files: a crash of a daemon that holds a token leaves none (it is not dumpable). The
# check is only meaningful where this system writes core files at all: see with a shell first.
mkdir "$T/cores"
bash -c 'cd "$1" && ulimit -c unlimited && sh -c "kill -SEGV \$\$"' _ "$T/cores" 2>/dev/null || true
if [ -z "$(ls -A "$T/cores")" ]; then
    echo "skip: no core file is written here (core_pattern $(cat /proc/sys/kernel/core_pattern))"
else
    rm -f "$T/cores"/*
    stop_daemon
    device_login
    (cd "$T/cores" && ulimit -c unlimited && exec "$BIN/nullrelayd" -C "$CONF" --foreground >>"$T/daemon.log" 2>&1) &
    DAEMON_PID=$!
    printf 'Subject: four\n\nbody\n' | sendmail -i root@example.net
    wait_until 10 has_delivered 3 || fail "not delivered before the crash"
    kill -SEGV "$DAEMON_PID"
    wait "$DAEMON_PID" 2>/dev/null || true
    DAEMON_PID=
    for core in "$T/cores"/*; do
        [ -e "$core" ] || continue
        no_secret_in "$core"
        fail "a core file was written: $core"
    done
    pass "a crash leaves no core file"
fi
