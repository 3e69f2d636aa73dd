# The Postfix null client of examples/postfix-null-client has a working nullrelay equivalent;
# maps are validated with file and line; nullrelayd reloads maps on SIGHUP and keeps the old
# ones when the new ones do not load.
source "$(dirname "$0")/lib.sh"

# 1. The example, as `nullrelay rewrite` sees it (paths moved into the source tree).
EX="$SRC/examples/postfix-null-client"
sed "s|/etc/nullrelay/virtual_regexp|$EX/virtual_regexp|" "$EX/nullrelay.conf" >"$T/example.conf"
echo "aliases_file = none" >>"$T/example.conf"  # not this host's /etc/aliases
for addr in root www-data nobody@localhost; do
    out=$("$BIN/nullrelay" -C "$T/example.conf" rewrite "$addr") || fail "rewrite $addr: exit $?"
    assert_eq "$(echo "$out" | tail -1)" "$addr => torres@example.net" "rewrite $addr"
    echo "$out" | grep -q "virtual_regexp:4: /^\[^@\]+@" || fail "rewrite $addr names no rule: $out"
done
assert_eq "$("$BIN/nullrelay" -C "$T/example.conf" rewrite torres@example.net | tail -1)" \
    "torres@example.net => torres@example.net" "remote address unchanged"
"$BIN/nullrelay" -C "$T/example.conf" check >/dev/null || fail "check of the example"
grep -q '^virtual_alias_maps = regexp:/etc/postfix/virtual_regexp$' "$EX/main.cf" ||
    fail "main.cf does not use the map"
pass "examples/postfix-null-client: root, www-data, nobody@localhost -> torres@example.net"

# 2. check and newaliases name the file and line of a bad map; exit 78.
printf '/^root$/ first@example.net\n/^(unclosed$/ x@example.net\n' >"$T/bad"
write_config "alias_map = $T/bad"
for cmd in "nullrelay check" "newaliases"; do
    set +e
    if [ "$cmd" == newaliases ]; then
        ln -sf "$BIN/nullrelay" "$T/newaliases"
        err=$("$T/newaliases" -C "$CONF" 2>&1)
    else
        err=$(nullrelay check 2>&1)
    fi
    rc=$?
    set -e
    assert_eq "$rc" 78 "$cmd exit status"
    echo "$err" | grep -q "$T/bad:2: bad regular expression: missing closing parenthesis" ||
        fail "$cmd message: $err"
done
set +e
"$BIN/nullrelayd" -C "$CONF" --once >"$T/start.log" 2>&1
rc=$?
set -e
assert_eq "$rc" 78 "nullrelayd with a bad map"
grep -q "$T/bad:2:" "$T/start.log" || fail "nullrelayd start message: $(cat "$T/start.log")"
pass "bad maps: file:line and exit 78 from check, newaliases and nullrelayd"

# 3. SIGHUP: a good new map is used; a bad one keeps the old config and maps.
printf '/^root$/ first@example.net\n' >"$T/aliases"
write_config "alias_map = $T/aliases"
start_smarthost
start_daemon
send_to_root() { printf 'Subject: %s\n\nx\n' "$1" | sendmail -i root || fail "sendmail $1"; }
send_to_root one
wait_until 10 has_delivered 1 || fail "message 1"
assert_eq "$(json_field 1 rcpt_tos)" '["first@example.net"]' "first map"

printf '/^root$/ second@example.net\n' >"$T/aliases"
kill -HUP "$DAEMON_PID"
wait_until 10 grep -q "configuration reloaded" "$T/daemon.log" || fail "no reload"
send_to_root two
wait_until 10 has_delivered 2 || fail "message 2"
assert_eq "$(json_field 2 rcpt_tos)" '["second@example.net"]' "reloaded map"

printf '/^root$/ third@example.net\n/^broken x@example.net\n' >"$T/aliases"
kill -HUP "$DAEMON_PID"
wait_until 10 grep -q "reload: $T/aliases:2: unclosed pattern.*keeping the running configuration and maps" \
    "$T/daemon.log" || fail "bad map not reported"
send_to_root three
wait_until 10 has_delivered 3 || fail "message 3"
assert_eq "$(json_field 3 rcpt_tos)" '["second@example.net"]' "old map kept after a bad reload"
kill -0 "$DAEMON_PID" || fail "daemon died"
pass "SIGHUP reloads maps and keeps the old ones when the new ones fail"
