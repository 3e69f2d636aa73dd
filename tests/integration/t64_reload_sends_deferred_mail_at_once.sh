# Issue 18, item 3: mail deferred for want of a smarthost (or for a smarthost that refused
# us) waited for its retry time (doubling up to an hour) after the admin fixed the
# configuration and reloaded. A reload that changes the smarthost, the credentials or the TLS
# settings makes deferred mail due at once; one that changes none of them leaves it be.
source "$(dirname "$0")/lib.sh"
start_smarthost
write_config "retry_min = 1h" "retry_max = 1h" "smarthost ="
sed -i '/^smarthost =$/d' "$CONF"  # no smarthost yet, as after installing the package
start_daemon
printf 'Subject: early\n\nx\n' | sendmail -i early@example.net
wait_until 10 grep -q "status=deferred (no smarthost configured" "$T/daemon.log" ||
    fail "not deferred for want of a smarthost"

# A reload that changes something else: still waits.
write_config "retry_min = 1h" "retry_max = 1h" "smarthost =" "connections = 1"
sed -i '/^smarthost =$/d' "$CONF"
kill -HUP "$DAEMON_PID"
wait_until 10 grep -q "configuration reloaded" "$T/daemon.log" || fail "no reload"
sleep 1
assert_eq "$(grep -c 'to=<early@example.net>' "$T/daemon.log")" 1 "no new attempt"

# The smarthost is set: the deferred message goes at once, not in an hour.
write_config "retry_min = 1h" "retry_max = 1h"
kill -HUP "$DAEMON_PID"
wait_until 10 has_delivered 1 || fail "not sent at once after the smarthost was configured"
grep -q "to=<early@example.net>.*status=sent" "$T/daemon.log" || fail "no status=sent"
pass "a reload that sets the smarthost sends deferred mail at once"
