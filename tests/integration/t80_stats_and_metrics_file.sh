# Issue 22: a scripted history against the real test smarthost (one message deferred because
# the smarthost offers no STARTTLS, then three delivered and one bounced by a 550) is what
# `nullrelay stats`, `nullrelay stats --json` and the Prometheus text file (metrics_file) say,
# and the file parses with Prometheus's own parser (promtool check metrics). Without a
# daemon, stats counts the spool and says the counters are unavailable.
source "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || { echo "skip: promtool not installed (scripts/install-deps --test)"; exit 77; }
METRICS=$T/textfile/nullrelay.prom
mkdir -p "$T/textfile"
# retry_min 1h: the deferred message is attempted once, so it is deferred exactly once.
write_config "metrics_file = $METRICS" "metrics_interval = 1s" "retry_min = 1h" "retry_max = 1h" \
    "connections = 1"

stat_of() {  # stat_of PYTHON-EXPRESSION-ON-d: a value of `nullrelay stats --json`
    nullrelay stats --json | $PY -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}
metric() {  # metric NAME{LABELS}: its value in the metrics file
    awk -v m="$1" '$1 == m {print $2}' "$METRICS"
}

# 1. A smarthost without STARTTLS: the message is deferred (tls), never sent in clear.
start_smarthost --no-starttls
start_daemon
printf 'Subject: deferred\n\nbody\n' | sendmail -i carol@example.net || fail "sendmail exit $?"
wait_until 10 deferred_in_queue 1 || fail "expected a deferred message"
stop_smarthost

# 2. The smarthost as it should be, refusing one recipient: 3 delivered, 1 bounced. The
# bounced message asked for no report (-N never): it ends in failed/, so no bounce message
# adds a delivery of its own.
cat >"$SH/faults.json" <<'JSON'
{"rules": [{"stage": "rcpt", "match": "nobody", "reply": "550 5.1.1 <nobody@example.org>: No such user"}]}
JSON
start_smarthost
for i in 1 2 3; do
    printf 'Subject: m%s\n\nbody\n' "$i" | sendmail -i bob@example.net || fail "sendmail exit $?"
done
printf 'Subject: refused\n\nbody\n' | sendmail -i -N never nobody || fail "sendmail exit $?"
wait_until 10 has_delivered 3 || fail "expected 3 deliveries"
wait_until 10 dir_has_files "$SPOOL/failed" || fail "expected the refused message in failed/"
wait_until 10 test "$(stat_of 'd["counters"]["bounced"]')" == 1 || fail "bounce not counted"

assert_eq "$(stat_of 'd["counters"]["delivered"]')" 3 "stats: delivered"
assert_eq "$(stat_of 'd["counters"]["deferred"]')" 1 "stats: deferred"
assert_eq "$(stat_of 'd["counters"]["bounced"]')" 1 "stats: bounced"
assert_eq "$(stat_of 'd["counters"]["failures"]')" \
    "{'connection': 0, 'tls': 1, 'auth': 0, '4xx': 0, '5xx': 1}" "stats: failures by reason"
assert_eq "$(stat_of 'd["messages"]["deferred"], d["messages"]["failed"], d["messages"]["queued"]')" \
    "(1, 1, 0)" "stats: messages by state"
assert_eq "$(stat_of 'd["counters"]["smarthost_transaction_seconds"]["count"] >= 4')" True \
    "stats: transactions timed"
assert_eq "$(stat_of 'd["counters"]["last_delivery"] is not None and d["counters"]["last_delivery"] > 0')" \
    True "stats: last delivery"
assert_eq "$(stat_of '0 <= d["oldest_message_age_seconds"] < 60')" True "stats: oldest age"
nullrelay stats >"$T/stats.txt" || fail "stats exit $?"
grep -q "^messages: 2 (queued 0, deferred 1, active 0, held 0, failed 1, maildrop 0)$" "$T/stats.txt" ||
    fail "stats text: $(cat "$T/stats.txt")"
grep -q "^  recipients: delivered 3, deferred 1, bounced 1$" "$T/stats.txt" ||
    fail "stats text: $(cat "$T/stats.txt")"
grep -q "^  not delivered, by reason: connection 0, tls 1, auth 0, 4xx 0, 5xx 1$" "$T/stats.txt" ||
    fail "stats text: $(cat "$T/stats.txt")"
pass "nullrelay stats matches the history"

# Any user may ask (counts only): nobody, who submitted none of these messages, sees them all.
chmod 755 "$T"  # mktemp made it 0700: nobody must reach the socket and the configuration
nobody_stats=$(setpriv --reuid 65534 --regid 65534 --clear-groups "$BIN/nullrelay" -C "$CONF" \
    stats --json) || fail "stats as nobody exit $?"
assert_eq "$($PY -c 'import json, sys; d = json.loads(sys.argv[1]); print(d["messages"]["deferred"], d["messages"]["failed"], d["counters"]["delivered"])' "$nobody_stats")" \
    "1 1 3" "stats as nobody"
pass "any user may ask for stats"

# 3. The metrics file: rewritten within metrics_interval, parsed by promtool.
file_has_delivered() { [ "$(metric 'nullrelay_deliveries_total{result="bounced"}' 2>/dev/null)" == 1 ]; }
wait_until 10 file_has_delivered || fail "metrics file not updated: $(cat "$METRICS" 2>&1)"
promtool check metrics <"$METRICS" || fail "promtool check metrics"
assert_eq "$(metric 'nullrelay_deliveries_total{result="delivered"}')" 3 "metric delivered"
assert_eq "$(metric 'nullrelay_deliveries_total{result="deferred"}')" 1 "metric deferred"
assert_eq "$(metric 'nullrelay_delivery_failures_total{reason="tls"}')" 1 "metric tls"
assert_eq "$(metric 'nullrelay_delivery_failures_total{reason="5xx"}')" 1 "metric 5xx"
assert_eq "$(metric 'nullrelay_messages{state="deferred"}')" 1 "metric messages deferred"
assert_eq "$(metric 'nullrelay_messages{state="failed"}')" 1 "metric messages failed"
# Opened: the one without STARTTLS (it answered EHLO), then one for the four messages
# (connections = 1), reused for the last three.
assert_eq "$(metric 'nullrelay_connections_total{kind="opened"}')" 2 "metric connections opened"
assert_eq "$(metric 'nullrelay_connections_total{kind="reused"}')" 3 "metric connections reused"
[ "$(metric nullrelay_oldest_message_age_seconds)" -ge 0 ] || fail "metric oldest age"
[ "$(stat -c %a "$METRICS")" == 644 ] || fail "metrics file mode $(stat -c %a "$METRICS")"
[ -z "$(find "$T/textfile" -name '.*')" ] || fail "temporary file left beside the metrics file"
pass "the metrics file parses and matches the history"

# 3b. The daemon counts queued and deferred from what it remembers of each envelope (no
# envelope read per request): hold, release, requeue and the attempts they lead to are
# followed. The smarthost is down, so each released or requeued message is deferred again.
by_state() { stat_of 'd["messages"]["queued"], d["messages"]["deferred"], d["messages"]["held"], d["messages"]["failed"]'; }
stop_smarthost
deferred_id=$(ls "$SPOOL/queue")
failed_id=$(ls "$SPOOL/failed")
nullrelay hold "$deferred_id" >/dev/null || fail "hold exit $?"
assert_eq "$(by_state)" "(0, 0, 1, 1)" "stats after hold"
nullrelay release "$deferred_id" >/dev/null || fail "release exit $?"
wait_until 10 test "$(by_state)" == "(0, 1, 0, 1)" || fail "stats after release: $(by_state)"
nullrelay requeue "$failed_id" >/dev/null || fail "requeue exit $?"
wait_until 10 test "$(by_state)" == "(0, 2, 0, 0)" || fail "stats after requeue: $(by_state)"
stop_daemon
start_daemon
assert_eq "$(by_state)" "(0, 2, 0, 0)" "stats after a restart"
pass "stats follow hold, release, requeue and a restart"

# 4. Without a daemon: root counts the spool; the counters are unavailable.
stop_daemon
assert_eq "$(stat_of 'd["counters"]')" None "no counters without a daemon"
assert_eq "$(stat_of 'd["messages"]["deferred"], d["messages"]["failed"]')" "(2, 0)" \
    "messages counted from the spool"
nullrelay stats | grep -q "^counters: unavailable" || fail "text without a daemon"
pass "without a daemon, stats counts the spool"
