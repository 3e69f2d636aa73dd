# Issue 16, item 3: the spool's file system keeps a reserve (queue_minfree). sendmail refuses
# below it with EX_TEMPFAIL and a clear message; the daemon stops picking up below half of it
# (the submissions wait in maildrop/), logs it once, and resumes by itself once there is room,
# so one user filling the disk never leaves the daemon without room for envelope updates and
# bounces.
source "$(dirname "$0")/lib.sh"
mount -t tmpfs -o size=6m tmpfs "$SPOOL"
CLEANUP_HOOKS+=("kill -9 \$DAEMON_PID 2>/dev/null; umount -l '$SPOOL'")
mkdir -p "$SPOOL"/{maildrop,data,queue,hold,failed,corrupt}
write_config "queue_minfree = 2M"
free_bytes() { df --output=avail -B1 "$SPOOL" | tail -1; }
fill_to() {  # leave about $1 bytes free
    rm -f "$SPOOL/filler"
    head -c $(($(free_bytes) - $1)) /dev/zero >"$SPOOL/filler"
}
head -c 300000 /dev/urandom | base64 -w 76 >"$T/body"  # ~400 KB
{ printf 'Subject: big\n\n'; cat "$T/body"; } >"$T/msg"

# 1. Below the reserve: refused with the reason, though the message would fit.
fill_to $((1500 * 1024))
set +e
sendmail -i root@example.net <"$T/msg" 2>"$T/err"
rc=$?
set -e
assert_eq "$rc" 75 "sendmail below the reserve"
grep -q "queue_minfree" "$T/err" || fail "message: $(cat "$T/err")"
pass "below queue_minfree: exit 75 with the reason"

# 2. Above the reserve sendmail takes it; with less than half the reserve plus the message
# free, the daemon leaves it in maildrop/ and says so once.
fill_to $((2200 * 1024))
sendmail -i root@example.net <"$T/msg" || fail "sendmail above the reserve: exit $?"
fill_to $((1200 * 1024))
start_smarthost
start_daemon
wait_until 10 grep -q "pickup paused" "$T/daemon.log" || fail "pickup did not pause"
assert_eq "$(ids_in "$SPOOL/maildrop")" 1 "the submission waits in maildrop/"
assert_eq "$(delivered_count)" 0 "nothing delivered yet"
nullrelay flush >/dev/null 2>&1 || true  # looks again: still no room
assert_eq "$(grep -c "pickup paused" "$T/daemon.log")" 1 "logged once"
pass "below half the reserve: pickup waits, logged once"

# 3. Room again: it resumes by itself (the retry timer; flush only hurries it).
rm -f "$SPOOL/filler"
nullrelay flush >/dev/null 2>&1 || true
wait_until 40 has_delivered 1 || fail "not delivered once there was room"
grep -q "pickup resumed" "$T/daemon.log" || fail "no 'resumed' line"
pass "room again: picked up and delivered"
