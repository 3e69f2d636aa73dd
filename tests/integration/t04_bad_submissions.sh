# Bad input to sendmail gets a clear error and a sysexits status, and nothing is queued.
source "$(dirname "$0")/lib.sh"

expect_refusal() {  # expect_refusal STATUS PATTERN -- sendmail args...
    local want=$1 pattern=$2; shift 3
    set +e
    err=$(printf 'Subject: x\n\nbody\n' | sendmail "$@" 2>&1 >/dev/null)
    rc=$?
    set -e
    assert_eq "$rc" "$want" "exit status of sendmail $*"
    echo "$err" | grep -q -- "$pattern" || fail "message for sendmail $*: '$err'"
}
expect_refusal 64 "no recipients" -- -i
expect_refusal 64 "no recipients" -- -t -i
expect_refusal 64 "unknown option -Z" -- -Z root
expect_refusal 64 "needs a value" -- -i -f
expect_refusal 64 "looks like an option" -- -i root -oops
expect_refusal 65 "bad sender address" -- -i -f $'a@b.example\r\nRCPT TO:<x@evil.example>' root
expect_refusal 65 "bad recipient address" -- -i -- $'root\r\nRSET'
expect_refusal 65 "bad recipient address" -- -i 'a@b@c'
set +e
printf 'To: ok@example.net, bad@@x\n\nbody\n' | sendmail -t -i 2>/dev/null
rc=$?
set -e
assert_eq "$rc" 65 "malformed address in To: under -t"
# An oversized message is refused whole.
write_config "max_message_size = 1K"
set +e
head -c 5000 /dev/zero | tr '\0' 'a' | sendmail -i root 2>"$T/err"
rc=$?
set -e
assert_eq "$rc" 65 "oversized message"
grep -q "larger than the limit" "$T/err" || fail "oversize message: $(cat "$T/err")"
write_config

# None of that left anything for the daemon to send.
start_daemon
sleep 0.5
assert_eq "$(find "$SPOOL/queue" "$SPOOL/data" -type f | wc -l)" 0 "nothing queued"
assert_eq "$(find "$SPOOL/maildrop" -type f | wc -l)" 0 "abandoned files removed"
pass "bad submissions refused, nothing queued"

# A bad configuration names file and line, with EX_CONFIG.
echo "smarthost = " >"$T/bad.conf"
echo "colour = blue" >>"$T/bad.conf"
set +e
err=$("$BIN/nullrelay-sendmail" -C "$T/bad.conf" root </dev/null 2>&1)
rc=$?
set -e
assert_eq "$rc" 78 "bad config"
echo "$err" | grep -q "$T/bad.conf:1: 'smarthost' needs a value" || fail "config error text: $err"
pass "config errors name file and line"
