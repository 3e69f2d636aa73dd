# Command lines behave as the man pages say:
#   - a bad command line exits 64 (EX_USAGE, nullrelay(8)), never one of CLI11's own codes
#     (106, 109...), from nullrelay, mailq, newaliases and nullrelayd;
#   - the mailq flags of sendmail that scripts pass (-v, -Ac, -Am) are accepted (mailq(1));
#   - every program answers --version (sendmail also exim's -bV) with the project's version,
#     exit 0, and sendmail creates nothing in the spool for it;
#   - nullrelay flush --wait says so when there is nothing to flush (with a daemon, and
#     without one), instead of printing nothing.
source "$(dirname "$0")/lib.sh"
write_config "retry_min = 1h" "retry_max = 1h"  # -odq (below) waits for the flush

version=$(sed -n 's/^project(nullrelay VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
[ -n "$version" ] || fail "no version in CMakeLists.txt"
for name in mailq newaliases; do ln -s "$BIN/nullrelay" "$T/$name"; done

exit_of() { local rc=0; "$@" >"$T/out" 2>"$T/err" </dev/null || rc=$?; echo $rc; }
usage_error() {  # usage_error COMMAND...: exit 64 and a message on stderr
    assert_eq "$(exit_of "$@")" 64 "exit status of: $*"
    [ -s "$T/err" ] || fail "no message on stderr for: $*"
}

# 1. Bad command lines: 64.
usage_error "$BIN/nullrelay" -C "$CONF"                       # no subcommand
usage_error "$BIN/nullrelay" -C "$CONF" frobnicate            # unknown subcommand
grep -q "unknown command 'frobnicate'" "$T/err" || fail "the message does not name it: $(cat "$T/err")"
usage_error "$BIN/nullrelay" -C "$CONF" show                  # show without an id
usage_error "$BIN/nullrelay" -C "$CONF" queue --no-such-option
usage_error "$BIN/nullrelay" -C "$CONF" rewrite               # no address
usage_error "$T/mailq" -C "$CONF" --no-such-option
usage_error "$T/mailq" -C "$CONF" -Ax                         # -A takes c or m
usage_error "$T/newaliases" -C "$CONF" extra
usage_error "$BIN/nullrelayd" -C "$CONF" --no-such-option
grep -q "nullrelayd: " "$T/err" || fail "the message does not name the program: $(cat "$T/err")"
pass "bad command lines exit 64 with a message"

# 2. sendmail's mailq flags.
for flags in -v -Ac -Am "-v -Ac"; do
    # shellcheck disable=SC2086  # the flags are words
    assert_eq "$(exit_of "$T/mailq" -C "$CONF" $flags)" 0 "mailq $flags"
    assert_eq "$(cat "$T/out")" "Mail queue is empty" "mailq $flags lists the queue"
done
pass "mailq -v, -Ac, -Am accepted"

# 3. --version everywhere; sendmail's leaves the spool alone.
for cmd in nullrelay nullrelayd nullrelay-sendmail; do
    assert_eq "$(exit_of "$BIN/$cmd" --version)" 0 "$cmd --version"
    assert_eq "$(cat "$T/out")" "$cmd (nullrelay) $version" "$cmd --version"
done
for name in mailq newaliases; do
    assert_eq "$(exit_of "$T/$name" --version)" 0 "$name --version"
    assert_eq "$(cat "$T/out")" "$name (nullrelay) $version" "$name --version"
done
for words in "--version" "-bV" "-oi -bV"; do
    # shellcheck disable=SC2086
    assert_eq "$(exit_of "$BIN/nullrelay-sendmail" -C "$CONF" $words)" 0 "sendmail $words"
    assert_eq "$(cat "$T/out")" "nullrelay-sendmail (nullrelay) $version" "sendmail $words"
done
assert_eq "$(find "$SPOOL" -type f | wc -l)" 0 "files in the spool after sendmail --version"
pass "every program answers --version ($version); sendmail's touches no spool file"

# 4. flush --wait with nothing to flush: without a daemon (root on the spool), then with one.
assert_eq "$(exit_of nullrelay flush --wait)" 0 "flush --wait, no daemon"
assert_eq "$(cat "$T/out")" "nothing to flush: no message is waiting for delivery" \
    "flush --wait on an empty queue, no daemon"
start_smarthost
start_daemon
assert_eq "$(exit_of nullrelay flush --wait)" 0 "flush --wait, daemon"
assert_eq "$(cat "$T/out")" "nothing to flush: no message is waiting for delivery" \
    "flush --wait on an empty queue, daemon"
printf 'Subject: one\n\nhello\n' | sendmail -i -odq someone@example.net
wait_until 10 dir_has_files "$SPOOL/queue" || fail "not queued"
assert_eq "$(exit_of nullrelay flush --wait)" 0 "flush --wait, one message"
grep -q '^\[1/1\] [0-9A-F]*: ' "$T/out" || fail "flush --wait: $(cat "$T/out")"
grep -q "nothing to flush" "$T/out" && fail "'nothing to flush' with a message flushed"
pass "flush --wait says when there is nothing to flush"
