#!/bin/bash
# Drains a queue of N messages (default 1000) through the loopback test smarthost and shows
# connection reuse at work: messages, connections opened, seconds, messages/s.
#
#   bench/drain.sh [N]        (NULLRELAY_BIN: build directory, default ./build;
#                              CONNECTIONS: the connections setting, default 2)
#
# The messages are submitted with nullrelay-sendmail while the daemon is stopped; the clock
# runs from the daemon's start until the smarthost has stored the last one. Pickup and
# delivery overlap (batches of 1, 4, 16, then 64: the first delivery waits for one message's
# commit); "pickup" below is only the daemon's start, until it logs "nullrelayd started".
# STARTTLS + AUTH PLAIN as in production, private spool, loopback only (tests/integration/lib.sh).
N=${1:-1000}
CONNECTIONS=${CONNECTIONS:-2}
here=$(cd "$(dirname "$0")/.." && pwd)
export NULLRELAY_SRC=${NULLRELAY_SRC:-$here}
export NULLRELAY_BIN=${NULLRELAY_BIN:-$here/build}
[ -x "$NULLRELAY_BIN/nullrelayd" ] || { echo "build first: no $NULLRELAY_BIN/nullrelayd" >&2; exit 1; }
source "$NULLRELAY_SRC/tests/integration/lib.sh"

stored() { grep -o '"messages": [0-9]*' "$SH/stats.json" 2>/dev/null | grep -o '[0-9]*$' || echo 0; }
stat_field() { $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$SH/stats.json" "$1"; }

write_config "connections = $CONNECTIONS" "max_connection_age = 60s"
start_smarthost --idle-timeout 300
for i in $(seq 1 "$N"); do
    printf 'From: bench@example.org\nSubject: bench %s\n\nmessage %s of %s\n' "$i" "$i" "$N" |
        sendmail -i "r$((i % 10))@example.net" || fail "sendmail $i"
done
[ "$(find "$SPOOL/maildrop" -type f | wc -l)" -eq "$N" ] || fail "not all $N submissions queued"

start_ns=$(date +%s%N)
"$BIN/nullrelayd" -C "$CONF" --foreground >>"$T/daemon.log" 2>&1 &
DAEMON_PID=$!
# "started" is logged once the queue is loaded, before the maildrop is picked up.
wait_until 600 grep -q "nullrelayd started" "$T/daemon.log" || fail "daemon did not start"
picked_ns=$(date +%s%N)
deadline=$((SECONDS + 600))
until [ "$(stored)" -ge "$N" ]; do
    [ $SECONDS -lt $deadline ] || fail "only $(stored) of $N delivered after 600 s"
    sleep 0.02
done
end_ns=$(date +%s%N)
wait_until 30 queue_empty || fail "queue not empty after delivery"
stop_daemon

conns=$(stat_field connections)
secs=$(awk -v ns=$((end_ns - start_ns)) 'BEGIN { printf "%.2f", ns / 1e9 }')
rate=$(awk -v n="$N" -v ns=$((end_ns - start_ns)) 'BEGIN { printf "%.0f", n / (ns / 1e9) }')
pickup=$(awk -v ns=$((picked_ns - start_ns)) 'BEGIN { printf "%.2f", ns / 1e9 }')
send=$(awk -v ns=$((end_ns - picked_ns)) 'BEGIN { printf "%.2f", ns / 1e9 }')
printf 'messages %s\nconnections %s (connections = %s)\nseconds %s (pickup %s, delivery %s)\nmessages/s %s\n' \
    "$(stat_field messages)" "$conns" "$CONNECTIONS" "$secs" "$pickup" "$send" "$rate"
[ "$conns" -lt "$N" ] || fail "no reuse: $conns connections for $N messages"
