# SIGKILL of nullrelayd at any moment loses no message: a batch is submitted, the daemon is
# killed again and again while it delivers (and sendmail itself is killed mid-message), and in
# the end every message arrived; only one that was in flight at a kill may arrive twice.
source "$(dirname "$0")/lib.sh"
# Each message waits 0.1 s for its 250, so kills land in every phase of delivery.
echo '{"rules": [{"stage": "eom", "action": "stall", "stall": 0.1}]}' >"$SH/faults.json"
start_smarthost
N=40
for i in $(seq 1 $N); do
    printf 'Subject: batch %s\nX-Seq: %s\n\nbody %s\n' "$i" "$i" "$i" | sendmail -i "r$i@example.net" ||
        fail "sendmail $i"
done
assert_eq "$(find "$SPOOL/maildrop" -type f | wc -l)" $N "all submitted into maildrop"

kills=0
for round in $(seq 1 12); do
    start_daemon
    sleep "0.$((RANDOM % 4 + 1))"
    kill_daemon
    kills=$((kills + 1))
    [ "$(queued_count)" -eq 0 ] && break
done
start_daemon
wait_until 60 queue_empty || fail "queue did not drain: $(queued_count) left"
stop_daemon

# Every X-Seq arrived at least once; duplicates at most one per kill per connection.
seen=$(cat "$SH"/messages/*.eml | grep -a '^X-Seq:' | tr -d '\r' | sort -u | wc -l)
total=$(delivered_count)
assert_eq "$seen" "$N" "distinct messages delivered"
dups=$((total - N))
[ "$dups" -le $((kills * 2)) ] || fail "$dups duplicates after $kills kills"
[ -z "$(ls "$SPOOL/data")" ] || fail "orphan data files left: $(ls "$SPOOL/data")"
pass "$N messages, $kills kills: none lost, $dups duplicate(s)"

# sendmail killed while reading its message: nothing half-written is ever sent.
start_daemon
before=$(delivered_count)
(printf 'Subject: partial\n\nfirst half\n'; sleep 5) | "$BIN/nullrelay-sendmail" -C "$CONF" -i victim@example.net &
sm=$!
wait_until 5 dir_has_files "$SPOOL/maildrop" || fail "sendmail did not create its file"
sleep 0.3
kill -9 $sm
wait $sm 2>/dev/null || true
wait_until 5 dir_is_empty "$SPOOL/maildrop" || fail "abandoned file not removed"
sleep 0.5
assert_eq "$(delivered_count)" "$before" "nothing delivered from a killed sendmail"
grep -q "removed an incomplete submission" "$T/daemon.log" || fail "removal not logged"
pass "a killed sendmail leaves nothing to send"

# Killed while it picks up a large maildrop in batches (data files written, envelopes renamed,
# the batch's directory fsyncs pending, maildrop files not yet removed): still none lost.
stop_daemon
echo '{"rules": []}' >"$SH/faults.json"
before=$(delivered_count)
M=300
for i in $(seq 1 $M); do
    printf 'Subject: pickup %s\nX-Pickup: %s\n\nbody\n' "$i" "$i" | sendmail -i "p$i@example.net" ||
        fail "sendmail $i"
done
kills=0
for round in $(seq 1 8); do
    [ -n "$(ls "$SPOOL/maildrop")" ] || break
    start_daemon
    sleep "0.0$((RANDOM % 9 + 1))"
    kill_daemon
    kills=$((kills + 1))
done
start_daemon
wait_until 60 queue_empty || fail "queue did not drain: $(queued_count) left"
stop_daemon
seen=$(cat "$SH"/messages/*.eml | grep -a '^X-Pickup:' | tr -d '\r' | sort -u | wc -l)
assert_eq "$seen" "$M" "distinct messages delivered after kills during pickup"
[ -z "$(ls "$SPOOL/data")" ] || fail "orphan data files left: $(ls "$SPOOL/data")"
pass "$M submissions, $kills kills during pickup: none lost, $(($(delivered_count) - before - M)) duplicate(s)"
