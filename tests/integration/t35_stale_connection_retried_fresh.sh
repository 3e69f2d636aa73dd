# The smarthost closes idle connections with "421 4.4.2 idle timeout" (Postfix style) after
# 1 s, while max_connection_age (60 s) lets the relay keep them longer. libcurl reuses such a
# connection and reads the stale 421 as the reply to MAIL; the relay must retry once on a fresh
# connection: every message is delivered once, on its first try, nothing is deferred.
source "$(dirname "$0")/lib.sh"
write_config "connections = 1" "max_connection_age = 60s"
start_smarthost --idle-timeout 1
start_daemon
for i in 1 2 3; do
    printf 'Subject: spaced %s\n\nx\n' "$i" | sendmail -i "spaced$i@example.net"
    wait_until 10 has_delivered $i || fail "message $i not delivered"
    [ $i -lt 3 ] && { sleep 2; grep -q "idle timeout" "$SH/transcript.log" || fail "server did not time out"; }
done
wait_until 5 queue_empty || fail "queue not empty"
sleep 0.5
assert_eq "$(delivered_count)" 3 "each message delivered once"
grep -q "status=deferred" "$T/daemon.log" && fail "a message was deferred: $(grep deferred "$T/daemon.log")"
assert_eq "$(grep -c 'tries=1, dsn=2.0.0, status=sent' "$T/daemon.log")" 3 "all sent on the first try"
grep -q "S~: 421 4.4.2 idle timeout" "$SH/transcript.log" || fail "no stale 421 was sent"
assert_eq "$(grep -c "the reused connection was stale (421 4.4.2 idle timeout); retrying on a fresh one" "$T/daemon.log")" 2 \
    "retries on a fresh connection"
pass "stale 421 on a reused connection: retried on a fresh one, delivered once"

# With max_connection_age below the idle timeout the stale connection is never tried at all.
stop_daemon
stop_smarthost
rm -rf "$SH"; mkdir -p "$SH"; : >"$T/daemon.log"
write_config "connections = 1" "max_connection_age = 1s"
start_smarthost --idle-timeout 3
start_daemon
for i in 1 2; do
    printf 'Subject: aged %s\n\nx\n' "$i" | sendmail -i "aged$i@example.net"
    wait_until 10 has_delivered $i || fail "message $i not delivered"
    [ $i -lt 2 ] && sleep 2
done
grep -q "stale" "$T/daemon.log" && fail "max_connection_age did not retire the connection"
grep -q "idle timeout" "$SH/transcript.log" && fail "the server timed out first"
assert_eq "$(grep -c "connect from" "$SH/transcript.log")" 2 "a new connection after max_connection_age"
pass "max_connection_age below the idle timeout: old connection retired, no stale reply"
