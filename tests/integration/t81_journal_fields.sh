# Issue 22: under systemd (stderr is the stream $JOURNAL_STREAM names), each delivery line
# goes to the journal through its native protocol with QUEUE_ID=, RECIPIENT=, STATUS=, DSN= and
# RELAY= beside MESSAGE=, the very text of the plain line; once, not also on stderr. Where
# stderr is not the journal's stream, the plain line goes to stderr as before. journald is
# not running in the test: a stand-in (tests/journal/journal_socket.py) listens on
# /run/systemd/journal/socket in a private mount namespace (a tmpfs over /run, seen by this
# test alone); where namespaces are unavailable, the test is skipped (exit 77).
if [ -z "${NULLRELAY_T81_IN_NS:-}" ]; then
    if [ "$(id -u)" -ne 0 ] || ! why=$(unshare -m -- true 2>&1); then
        echo "skip: no private mount namespace here (${why:-not root})"
        exit 77
    fi
    NULLRELAY_T81_IN_NS=1 exec unshare -m --propagation private -- bash "$0" "$@"
fi
source "$(dirname "$0")/lib.sh"
mount -t tmpfs -o mode=0755 tmpfs /run || fail "cannot mount a tmpfs over /run"
mkdir -p /run/systemd/journal
JOURNAL=$T/journal.jsonl
$PY "$SRC/tests/journal/journal_socket.py" /run/systemd/journal/socket "$JOURNAL" \
    >>"$T/journal.log" 2>&1 &
EXTRA_PIDS+=($!)
wait_until 10 test -e "$JOURNAL.ready" || fail "journal stand-in did not start"

start_smarthost
: >"$T/daemon.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/daemon.log") start_daemon
printf 'Subject: journal\n\nbody\n' | sendmail -i bob@example.net || fail "sendmail exit $?"
wait_until 10 has_delivered 1 || fail "not delivered"
wait_until 10 grep -q '"QUEUE_ID"' "$JOURNAL" || fail "no journal entry: $(cat "$JOURNAL")"

id=$(grep -o '^[<>0-9]*[0-9A-F]\{16\}: removed$' "$T/daemon.log" | grep -o '[0-9A-F]\{16\}')
[ -n "$id" ] || fail "no queue id in the log"
check_entry() {
    $PY - "$JOURNAL" "$id" "$SMARTHOST_PORT" <<'PY'
import json, re, sys
path, qid, port = sys.argv[1], sys.argv[2], sys.argv[3]
entries = [json.loads(l) for l in open(path) if l.strip()]
errors = [e for e in entries if "error" in e]
assert not errors, errors
mine = [e for e in entries if e.get("QUEUE_ID") == qid]
assert len(mine) == 1, f"expected one entry for {qid}: {entries}"
e = mine[0]
want = {"QUEUE_ID": qid, "RECIPIENT": "bob@example.net", "STATUS": "sent", "DSN": "2.0.0",
        "RELAY": f"localhost[127.0.0.1]:{port}", "PRIORITY": "6",
        "SYSLOG_IDENTIFIER": "nullrelayd"}
for k, v in want.items():
    assert e.get(k) == v, f"{k}: expected {v!r}, got {e.get(k)!r} in {e}"
pattern = (rf"^{qid}: to=<bob@example\.net>, relay=localhost\[127\.0\.0\.1\]:{port}, "
           r"delay=[0-9.]+, tries=1, dsn=2\.0\.0, status=sent \(250 .*\)$")
assert re.match(pattern, e["MESSAGE"]), e["MESSAGE"]
PY
}
check_entry || fail "journal entry"
grep -q "$id: to=<bob@example.net>" "$T/daemon.log" && fail "the delivery line went to stderr too"
grep -q "$id: removed" "$T/daemon.log" || fail "lines without fields left stderr"
pass "the delivery line went to the journal with its fields, once"
stop_daemon

# stderr is not the journal's stream (another file's device and inode): the plain line.
: >"$JOURNAL"
JOURNAL_STREAM=$(stat -c '%d:%i' "$JOURNAL") start_daemon
printf 'Subject: plain\n\nbody\n' | sendmail -i carol@example.net || fail "sendmail exit $?"
wait_until 10 has_delivered 2 || fail "not delivered"
wait_until 10 grep -q "to=<carol@example.net>, relay=localhost.*status=sent" "$T/daemon.log" ||
    fail "no plain delivery line on stderr"
[ ! -s "$JOURNAL" ] || fail "sent to the journal although stderr is not its stream"
pass "without the journal's stream on stderr, the plain line as before"
