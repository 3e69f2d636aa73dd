# The daemon's log through syslog(3) with facility mail (issue 18, /var/log/mail.log): with
# `log = syslog` the delivery line reaches /dev/log as a mail.info message of nullrelayd[PID]
# and nothing is written to stderr; `log = auto` (the default) logs to stderr when it goes
# somewhere (the journal, a terminal, a file: every other scenario) and through syslog when it
# is /dev/null (start-stop-daemon --background, the init script).
#
# glibc's syslog(3) always writes to /dev/log, so the daemon runs in a private mount
# namespace whose /dev is a directory of this test: the real null, zero, urandom and random
# devices bound in, and at its log a Unix datagram socket this test listens on (what rsyslogd
# or journald would hold). The host's /dev is never changed. Skipped (77) where no private
# mount namespace can be made (a chroot, some containers).
source "$(dirname "$0")/lib.sh"
if ! why=$(unshare -m -- true 2>&1); then
    echo "skip: no private mount namespace here (${why:-unshare -m failed})"
    exit 77
fi

DEV=$T/dev
mkdir -p "$DEV"
for node in null zero full random urandom; do : >"$DEV/$node"; done
# The listener: one line per datagram received at $DEV/log, as received.
$PY -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536).rstrip(b"\0\n") + b"\n")
' "$DEV/log" "$T/syslog.txt" 2>>"$T/listener.log" &
EXTRA_PIDS+=($!)
wait_until 10 test -e "$DEV/log.ready" || fail "the syslog stand-in did not start"
: >"$T/syslog.txt"

# start_daemon_with_dev_log STDERR: nullrelayd with the test's /dev, stderr to that file.
start_daemon_with_dev_log() {
    local err=$1
    unshare -m -- sh -c 'for n in null zero full random urandom; do
            mount --bind "/dev/$n" "$0/$n" || exit 1
        done
        mount --rbind "$0" /dev && exec "$@"' "$DEV" \
        "$BIN/nullrelayd" -C "$CONF" --foreground 2>"$err" >&2 &
    DAEMON_PID=$!
}
syslog_has() { grep -q -- "$1" "$T/syslog.txt"; }

# 1. log = syslog: the lines go to /dev/log, as mail.info (facility 2 x 8 + level 6 = <22>).
start_smarthost
write_config "log = syslog"
start_daemon_with_dev_log "$T/daemon.log"
wait_until 10 syslog_has "nullrelayd started" ||
    fail "no start line at the syslog socket: $(cat "$T/syslog.txt") / stderr: $(cat "$T/daemon.log")"
printf 'Subject: to syslog\n\nhello\n' | sendmail -i admin@example.net
wait_until 20 syslog_has "status=sent" || fail "no delivery line at the syslog socket: $(cat "$T/syslog.txt")"
line=$(grep "status=sent" "$T/syslog.txt")
grep -Eq "^[<]22[>].* nullrelayd\[$DAEMON_PID\]: [0-9A-Za-z]+: to=[<]admin@example.net[>], " <<<"$line" ||
    fail "the delivery line is not a mail.info line of nullrelayd[$DAEMON_PID]: $line"
assert_eq "$(cat "$T/daemon.log")" "" "nothing on stderr with log = syslog"
pass "log = syslog: the delivery line reached /dev/log as mail.info from nullrelayd[pid]"

# 2. A warning keeps its level: a reload with a spool_dir change is logged as mail.warning
#    (<20>), and the reload itself applied the key again (still syslog).
sed -i "s|^spool_dir = .*|spool_dir = $T/other-spool|" "$CONF"
kill -HUP "$DAEMON_PID"
wait_until 10 syslog_has "spool_dir changed" || fail "no reload warning: $(cat "$T/syslog.txt")"
grep "spool_dir changed" "$T/syslog.txt" | grep -q "^[<]20[>].* nullrelayd\[$DAEMON_PID\]: warning: reload: spool_dir changed" ||
    fail "the warning is not mail.warning: $(grep "spool_dir changed" "$T/syslog.txt")"
stop_daemon
pass "a warning goes to syslog as mail.warning"

# 3. log = auto (the default) with stderr on /dev/null, as start-stop-daemon --background
#    leaves it: syslog.
: >"$T/syslog.txt"
write_config
start_daemon_with_dev_log /dev/null
wait_until 10 syslog_has "nullrelayd started" ||
    fail "log = auto with stderr on /dev/null did not use syslog: $(cat "$T/syslog.txt")"
stop_daemon
pass "log = auto with stderr on /dev/null: syslog"

# 4. log = auto with stderr in a file: stderr, nothing at /dev/log.
: >"$T/syslog.txt"
: >"$T/daemon.log"
start_daemon_with_dev_log "$T/daemon.log"
wait_until 10 grep -q "nullrelayd started" "$T/daemon.log" ||
    fail "log = auto with stderr in a file did not log there: $(cat "$T/daemon.log")"
stop_daemon
assert_eq "$(cat "$T/syslog.txt")" "" "nothing at /dev/log when stderr goes somewhere"
pass "log = auto with stderr in a file: stderr"

# 5. A value that is not one of them is refused, naming the line.
write_config "log = file"
"$BIN/nullrelay" -C "$CONF" check >"$T/check.out" 2>&1 && fail "log = file accepted"
grep -q "expected auto, stderr or syslog, got 'file'" "$T/check.out" ||
    fail "the error does not say what log takes: $(cat "$T/check.out")"
pass "an unknown log value is refused"
