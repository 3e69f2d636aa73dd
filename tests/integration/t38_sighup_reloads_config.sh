# SIGHUP reloads the configuration: a new smarthost takes effect for the next message. A
# configuration that no longer loads is refused with the reason, and the running one is kept.
source "$(dirname "$0")/lib.sh"
start_smarthost
SH2=$T/smarthost2
PORT2=$(free_port)
start_smarthost_at "$SH2" "$PORT2"
count_in() { find "$1/messages" -name '*.json' 2>/dev/null | wc -l; }
has_in() { [ "$(count_in "$1")" -ge "$2" ]; }

start_daemon
printf 'Subject: before\n\nx\n' | sendmail -i before@example.net
wait_until 10 has_in "$SH" 1 || fail "not delivered before the reload"

write_config "smarthost = localhost:$PORT2"
kill -HUP "$DAEMON_PID"
wait_until 10 grep -q "configuration reloaded from $CONF" "$T/daemon.log" || fail "reload not logged"
printf 'Subject: after\n\nx\n' | sendmail -i after@example.net
wait_until 10 has_in "$SH2" 1 || fail "not delivered through the new smarthost"
assert_eq "$(count_in "$SH")" 1 "the old smarthost got nothing more"
pass "SIGHUP: the new smarthost is used"

cp "$CONF" "$T/good.conf"
echo "connections = many" >>"$CONF"
kill -HUP "$DAEMON_PID"
wait_until 10 grep -q "error: reload: $CONF:[0-9]*: connections: .*; keeping the running configuration" "$T/daemon.log" ||
    fail "bad configuration not reported"
printf "Subject: kept\n\nx\n" | "$BIN/nullrelay-sendmail" -C "$T/good.conf" -i kept@example.net  # sendmail reads it too
wait_until 10 has_in "$SH2" 2 || fail "not delivered with the kept configuration"
kill -0 "$DAEMON_PID" || fail "daemon died on a bad configuration"
pass "SIGHUP with a bad configuration: reason logged, running configuration kept"
