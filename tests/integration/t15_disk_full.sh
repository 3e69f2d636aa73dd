# A full spool: sendmail exits 75 (EX_TEMPFAIL) with a clear message and leaves nothing the
# daemon would send; a pickup that runs out of space leaves the submission where it is and
# takes it once there is room. Nothing is lost, nothing half-written goes out.
source "$(dirname "$0")/lib.sh"
write_config "queue_minfree = 0"  # no reserve: the file system's own end is what is tested
mount -t tmpfs -o size=2m tmpfs "$SPOOL"
CLEANUP_HOOKS+=("kill -9 \$DAEMON_PID 2>/dev/null; umount -l '$SPOOL'")
mkdir -p "$SPOOL"/{maildrop,data,queue,hold,failed,corrupt}
start_smarthost
start_daemon

free_bytes() { df --output=avail -B1 "$SPOOL" | tail -1; }
fill_to() {  # leave about $1 bytes free
    rm -f "$SPOOL/filler"
    head -c $(($(free_bytes) - $1)) /dev/zero >"$SPOOL/filler"
}
head -c 300000 /dev/urandom | base64 -w 76 >"$T/body"  # ~400 KB
{ printf 'Subject: big\n\n'; cat "$T/body"; } >"$T/msg"

# 1. No room for the submission itself.
fill_to 100000
set +e
sendmail -i root@example.net <"$T/msg" 2>"$T/err"
rc=$?
set -e
assert_eq "$rc" 75 "sendmail on a full spool"
grep -q "No space left on device" "$T/err" || fail "message: $(cat "$T/err")"
wait_until 5 dir_is_empty "$SPOOL/maildrop" || fail "the abandoned file stays"
sleep 0.3
assert_eq "$(delivered_count)" 0 "nothing delivered"
pass "full spool: exit 75, nothing left to send"

# 2. Room for the submission but not for the daemon's copy: it waits in maildrop/.
fill_to 600000
sendmail -i root@example.net <"$T/msg" || fail "sendmail with room: exit $?"
wait_until 10 grep -qE "will try again|pickup paused" "$T/daemon.log" || fail "pickup did not report the full disk"
assert_eq "$(ls "$SPOOL/maildrop" | wc -l)" 1 "the submission waits in maildrop"
assert_eq "$(find "$SPOOL/data" "$SPOOL/queue" -type f | wc -l)" 0 "no half copy in the queue"
rm -f "$SPOOL/filler"
nullrelay flush
wait_until 10 has_delivered 1 || fail "not delivered once there was room"
# Received: (two lines), Subject, then the added Date, Message-ID and From, a blank line, the body.
tr -d '\r' <"$(eml 1)" | tail -n +8 | cmp - "$T/body" || fail "delivered body differs"
wait_until 5 queue_empty || fail "queue not empty"
pass "pickup out of space: kept in maildrop, delivered once there was room"
