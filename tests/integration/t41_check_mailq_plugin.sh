# The real check_mailq plugin (Debian's monitoring-plugins-standard) parses our mailq with
# `-M postfix`: empty, below, at the warning and at the critical threshold, with and without
# a running daemon. The plugin runs $utils::PATH_TO_MAILQ from the utils.pm beside it, so the
# test links the plugin into its own directory next to a copy of utils.pm that names our
# mailq; `-d FILE` makes the plugin pass `-C FILE` to mailq.
source "$(dirname "$0")/lib.sh"
PLUGIN=/usr/lib/nagios/plugins/check_mailq
[ -x "$PLUGIN" ] || fail "$PLUGIN missing: install monitoring-plugins-standard (scripts/install-deps)"
mkdir -p "$T/bin" "$T/plugins"
ln -s "$BIN/nullrelay" "$T/bin/mailq"
ln -s "$PLUGIN" "$T/plugins/check_mailq"
sed "s|^\$PATH_TO_MAILQ *=.*|\$PATH_TO_MAILQ = \"$T/bin/mailq\";|" \
    /usr/lib/nagios/plugins/utils.pm >"$T/plugins/utils.pm"
grep -q "PATH_TO_MAILQ = \"$T/bin/mailq\"" "$T/plugins/utils.pm" || fail "utils.pm not rewritten"

# check WANT_STATUS WANT_OUTPUT: runs the plugin with warning 2, critical 4.
check() {
    local out rc=0
    out=$(perl "$T/plugins/check_mailq" -M postfix -w 2 -c 4 -t 20 -d "$CONF" 2>&1) || rc=$?
    [ "$rc" -eq "$1" ] || fail "check_mailq exit $rc (want $1): $out"
    assert_eq "$out" "$2" "check_mailq output"
}
submit() { printf 'Subject: %s\n\nx\n' "$1" | sendmail -i "$1@example.net" || fail "sendmail $1"; }
queued() { [ "$(queue_id_count)" -eq "$1" ] && [ -z "$(ls "$SPOOL/maildrop")" ]; }

write_config "retry_min = 1h" "retry_max = 1h"
start_daemon
check 0 "OK: postfix mailq reports queue is empty|unsent=0;2;4;0"
submit one
wait_until 10 queued 1 || fail "not queued"
check 0 "OK: postfix mailq (1) is below threshold (2/4)|unsent=1;2;4;0"
submit two; submit three
wait_until 10 queued 3 || fail "not queued"
check 1 "WARNING: postfix mailq is 3 (threshold w = 2)|unsent=3;2;4;0"
submit four; submit five
wait_until 10 queued 5 || fail "not queued"
nullrelay hold "$(ls "$SPOOL/queue" | head -1)" >/dev/null
check 2 "CRITICAL: postfix mailq is 5 (threshold c = 4)|unsent=5;2;4;0"  # held mail counts, as in Postfix
pass "check_mailq -M postfix: empty, OK, WARNING and CRITICAL while the daemon runs"

start_smarthost
nullrelay flush --wait >/dev/null || fail "flush --wait exit $?"
check 0 "OK: postfix mailq (1) is below threshold (2/4)|unsent=1;2;4;0"  # the held one
stop_daemon
check 0 "OK: postfix mailq (1) is below threshold (2/4)|unsent=1;2;4;0"
pass "check_mailq after a flush, and without a daemon"
