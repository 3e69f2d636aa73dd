# Issue 18, item 3: mail deferred because the smarthost refused us (a wrong password, here)
# waited for its retry time (doubling up to an hour) after the admin fixed the configuration
# and reloaded. A reload that changes the smarthost, the credentials or the TLS settings makes
# deferred mail due at once; one that changes none of them leaves it be.
source "$(dirname "$0")/lib.sh"
start_smarthost
write_config "retry_min = 1h" "retry_max = 1h"
echo wrong >"$T/password"
start_daemon
printf 'Subject: early\n\nx\n' | sendmail -i early@example.net
wait_until 10 grep -q "to=<early@example.net>.*status=deferred (.*535" "$T/daemon.log" ||
    fail "not deferred by the smarthost's refusal"

# A reload that changes something else: it still waits.
write_config "retry_min = 1h" "retry_max = 1h" "connections = 1"
kill -HUP "$DAEMON_PID"
wait_until 10 grep -q "configuration reloaded" "$T/daemon.log" || fail "no reload"
sleep 1
assert_eq "$(grep -c 'to=<early@example.net>' "$T/daemon.log")" 1 "no new attempt"

# The password is fixed: the deferred message goes at once, not in an hour.
echo secret >"$T/password"
kill -HUP "$DAEMON_PID"
wait_until 10 has_delivered 1 || fail "not sent at once after the password was fixed"
grep -q "to=<early@example.net>.*status=sent" "$T/daemon.log" || fail "no status=sent"
grep -q "deferred message(s) due now" "$T/daemon.log" || fail "not logged"
pass "a reload that fixes the secret sends deferred mail at once"
