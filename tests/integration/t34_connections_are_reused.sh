# Connections are reused across messages: with connections = 2, many messages (queued while
# the daemon was down, and submitted one by one while it runs) go over at most two
# connections (one per delivery thread), each connection authenticating once.
source "$(dirname "$0")/lib.sh"
stat_field() { $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$SH/stats.json" "$1"; }
write_config "connections = 2"
start_smarthost

N=30
for i in $(seq 1 $N); do printf 'Subject: m%s\n\nx\n' "$i" | sendmail -i "r$i@example.net"; done
start_daemon
wait_until 20 has_delivered $N || fail "batch not delivered"
wait_until 5 queue_empty || fail "queue not empty"
conns=$(stat_field connections)
[ "$conns" -le 2 ] || fail "$N queued messages used $conns connections"
assert_eq "$(grep -c 'C~: AUTH' "$SH/transcript.log")" "$conns" "one AUTH per connection"
pass "$N queued messages over $conns connection(s)"

M=10
for i in $(seq 1 $M); do
    printf 'Subject: live%s\n\nx\n' "$i" | sendmail -i "live$i@example.net"
    wait_until 10 has_delivered $((N + i)) || fail "live message $i not delivered"
done
conns=$(stat_field connections)
[ "$conns" -le 2 ] || fail "$((N + M)) messages used $conns connections"
assert_eq "$(stat_field messages)" $((N + M)) "messages stored"
pass "$M more submitted one by one: still $conns connection(s)"
