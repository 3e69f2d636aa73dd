# With the smarthost down, mailq shows three queued messages under the connection error; the
# admin holds one and deletes one; with the smarthost back, `flush --wait` reports the third
# delivered; the held one stays (flush refuses it) until released, then goes. The JSON
# listing parses and has the documented shape.
source "$(dirname "$0")/lib.sh"
write_config "retry_min = 1h" "retry_max = 1h"  # only a flush or a release brings mail out
mkdir -p "$T/bin" && ln -s "$BIN/nullrelay" "$T/bin/mailq"
mailq() { "$T/bin/mailq" -C "$CONF"; }
start_daemon

for who in alice bob carol; do
    printf 'Subject: for %s\n\nhello %s\n' "$who" "$who" | sendmail -i "$who@example.net" ||
        fail "sendmail $who"
done
wait_until 10 deferred_in_queue 3 || fail "three deferrals not in the queue: $(nullrelay queue)"
ids=($(ls "$SPOOL/queue"))
assert_eq "${#ids[@]}" 3 "queued messages"
held=${ids[0]} deleted=${ids[1]} third=${ids[2]}

listing=$(mailq) || fail "mailq exit $?"
assert_eq "$(echo "$listing" | head -1)" \
    "----Queue ID----- --Size-- ---Arrival Time---- --Sender/Recipient------" "mailq header"
for id in "${ids[@]}"; do
    echo "$listing" | grep -Eq "^$id +[0-9]+ [A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} root@example.org$" ||
        fail "no line for $id: $listing"
done
assert_eq "$(echo "$listing" | grep -c "^(.*Couldn't connect to server)$")" 3 "reasons shown"
assert_eq "$(echo "$listing" | grep -c '^ \{47\}[a-z]*@example.net$')" 3 "recipients indented"
assert_eq "$(echo "$listing" | tail -1)" "-- 0 Kbytes in 3 Requests." "summary"
pass "mailq shows three messages with the connection error"

# The JSON listing: one object per line, every documented key with its type.
nullrelay queue --json >"$T/queue.json" || fail "queue --json exit $?"
$PY - "$T/queue.json" "${ids[@]}" <<'PY' || fail "JSON listing: $(cat "$T/queue.json")"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 3, lines
want = {"id": str, "state": str, "queue": str, "arrival": int, "size": int, "sender": str,
        "submitter": dict, "attempts": int, "next_attempt": int, "last_error": str,
        "recipients": list}
for line, qid in zip(lines, sys.argv[2:]):
    m = json.loads(line)
    assert set(m) == set(want), sorted(m)
    for k, t in want.items():
        assert isinstance(m[k], t), (k, m[k])
    assert m["id"] == qid and m["state"] == "deferred" and m["queue"] == "queue", m
    assert m["attempts"] == 1 and m["next_attempt"] > m["arrival"] > 0, m
    assert m["sender"] == "root@example.org" and m["submitter"] == {"uid": 0, "name": "root"}, m
    assert "Couldn't connect to server" in m["last_error"], m
    (r,) = m["recipients"]
    assert set(r) == {"address", "original", "state", "last_reply"}, r
    assert r["state"] == "pending" and r["address"].endswith("@example.net"), r
    assert r["original"] == r["address"], r
PY
pass "queue --json parses, with every key"

out=$(nullrelay hold "$held") || fail "hold exit $?"
assert_eq "$out" "$held: placed on hold" "hold output"
out=$(nullrelay delete "$deleted") || fail "delete exit $?"
assert_eq "$out" "$deleted: deleted" "delete output"
[ ! -e "$SPOOL/queue/$deleted" ] && [ ! -e "$SPOOL/data/$deleted" ] || fail "deleted files remain"
listing=$(mailq)
echo "$listing" | grep -q "^$held! " || fail "held message not marked '!': $listing"
echo "$listing" | grep -q "$deleted" && fail "deleted message still listed: $listing"
assert_eq "$(echo "$listing" | tail -1)" "-- 0 Kbytes in 2 Requests." "summary after hold+delete"
pass "hold marks '!', delete removes envelope and content"

start_smarthost
out=$(nullrelay flush --wait) || fail "flush --wait exit $?: $out"
assert_eq "$out" "[1/1] $third: delivered" "flush --wait report"
assert_eq "$(delivered_count)" 1 "delivered by the flush"
assert_eq "$(json_field 1 rcpt_tos)" '["carol@example.net"]' "the third message went"
pass "flush --wait reports the third delivered"

sleep 1
assert_eq "$(delivered_count)" 1 "the held message stays"
out=$(nullrelay flush "$held" 2>&1) && fail "flush of a held message succeeded"
echo "$out" | grep -q "on hold: release it" || fail "flush of a held message: $out"
listing=$(mailq)
echo "$listing" | grep -q "^$held! " || fail "held message gone: $listing"
out=$(nullrelay release "$held") || fail "release exit $?"
assert_eq "$out" "$held: released" "release output"
wait_until 10 has_delivered 2 || fail "released message not delivered"
assert_eq "$(json_field 2 rcpt_tos)" '["alice@example.net"]' "the held message went"
wait_until 5 queue_empty || fail "queue not empty"
assert_eq "$(mailq)" "Mail queue is empty" "mailq at the end"
grep -q "$held: placed on hold (nullrelay hold by uid 0)" "$T/daemon.log" || fail "hold not logged"
pass "the held message stays until released, then goes"
