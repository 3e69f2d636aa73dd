# A message being delivered shows '*' in mailq and can be neither deleted nor held under its
# delivery (EX_TEMPFAIL, a clear error); `flush --wait ID` waits for its attempt and reports
# it. Unknown and malformed ids, and a corrupt queue file, get clear errors and exit codes;
# the listing goes on past the corrupt file. delete --all asks on a terminal.
source "$(dirname "$0")/lib.sh"
write_config "retry_min = 1h" "retry_max = 1h"
# expect_status STATUS TEXT COMMAND...
expect_status() {
    local want=$1 text=$2 out rc=0; shift 2
    out=$("$@" 2>&1) || rc=$?
    [ "$rc" -eq "$want" ] || fail "$* exit $rc (want $want): $out"
    echo "$out" | grep -q -- "$text" || fail "$*: expected '$text' in: $out"
}

# The smarthost holds each message 3 s before its 250: long enough to act meanwhile.
echo '{"rules": [{"stage": "eom", "action": "stall", "stall": 3}]}' >"$SH/faults.json"
start_smarthost
start_daemon
printf 'Subject: slow\n\nx\n' | sendmail -i slow@example.net
active() { nullrelay queue | grep -q '^[0-9A-F]\{16\}\* '; }
wait_until 10 active || fail "no message shown active: $(nullrelay queue)"
id=$(ls "$SPOOL/queue")
expect_status 75 "$id: being delivered now; try again once the attempt is over" nullrelay delete "$id"
expect_status 75 "being delivered now" nullrelay hold "$id"
expect_status 75 "being delivered now" nullrelay delete --all --yes
[ -e "$SPOOL/queue/$id" ] && [ -e "$SPOOL/data/$id" ] || fail "files touched during delivery"
out=$(nullrelay flush --wait "$id") || fail "flush --wait exit $?: $out"
assert_eq "$out" "[1/1] $id: delivered" "flush --wait on a message in flight"
assert_eq "$(delivered_count)" 1 "delivered once"
pass "a message in flight is marked '*' and protected; flush --wait waits for it"

rm "$SH/faults.json"
expect_status 66 "0619A2B3C4D5EFFF: no such message in the queue" nullrelay hold 0619A2B3C4D5EFFF
expect_status 66 "no such message" nullrelay show 0619A2B3C4D5EFFF
expect_status 66 "no such message" nullrelay flush --wait 0619A2B3C4D5EFFF
expect_status 64 "'xyz' is not a queue id" nullrelay delete xyz
expect_status 64 "name the messages" nullrelay hold
expect_status 64 "queue ids or --all, not both" nullrelay release --all 0619A2B3C4D5EFFF
expect_status 64 "needs --yes" nullrelay delete --all </dev/null
pass "unknown and malformed ids: clear errors, EX_NOINPUT and EX_USAGE"

stop_smarthost
printf 'Subject: stays\n\nx\n' | sendmail -i stays@example.net
wait_until 10 deferred_in_queue 1 || fail "not deferred: $(nullrelay queue)"
printf 'nullrelay-queue 1\nid 0619A2B3C4D5E000\ngarbage\n' >"$SPOOL/queue/0619A2B3C4D5E000"
rc=0
nullrelay queue >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 65 "listing exit with a corrupt file"
grep -q "corrupt queue file queue/0619A2B3C4D5E000: line 3: unknown record 'garbage'" "$T/err" ||
    fail "corrupt file not reported: $(cat "$T/err")"
grep -q "stays@example.net" "$T/out" || fail "listing stopped at the corrupt file: $(cat "$T/out")"
assert_eq "$(tail -1 "$T/out")" "-- 0 Kbytes in 1 Request." "summary without the corrupt file"
out=$(nullrelay delete 0619A2B3C4D5E000) || fail "delete of a corrupt file: $out"
assert_eq "$(nullrelay queue 2>&1 | tail -1)" "-- 0 Kbytes in 1 Request." "after deleting it"
pass "a corrupt queue file is reported and skipped, and can be deleted"

# delete --all asks on a terminal (script(1) gives it one) and deletes only after a yes.
out=$(echo n | script -qec "$BIN/nullrelay -C $CONF delete --all" /dev/null)
echo "$out" | grep -q "Delete 1 message(s) for good? \[y/N\]" || fail "no question: $out"
[ -n "$(ls "$SPOOL/queue")" ] || fail "deleted after a no"
out=$(echo y | script -qec "$BIN/nullrelay -C $CONF delete --all" /dev/null)
echo "$out" | grep -q ": deleted" || fail "not deleted after a yes: $out"
[ -z "$(ls "$SPOOL/queue")" ] || fail "still queued after a yes"
pass "delete --all asks first on a terminal"

stop_daemon
write_config "spool_dir = $T/no-such-spool"
expect_status 66 "cannot read the spool $T/no-such-spool/queue" nullrelay queue
pass "an unreadable spool is a clear error"
