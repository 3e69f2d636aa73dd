# Issue 18, item 4: /etc/aliases was silently ignored (root: ops@example.org there, newaliases
# exits 0, mail still went elsewhere). It applies to local recipients before alias_map;
# newaliases checks it (an error names the file and line, exit 78; pipes, files and includes
# are warned about and skipped); `nullrelay rewrite` shows which file and line decided; an edit
# applies to the next message without a reload.
source "$(dirname "$0")/lib.sh"
mkdir -p "$T/bin" && ln -s "$BIN/nullrelay" "$T/bin/newaliases"
cat >"$T/aliases" <<'ALIASES'
# as Debian ships it, plus the admin's line
postmaster: root
root: ops@example.org, "|/usr/bin/procmail"
ALIASES
echo '/.+/ catchall@example.net' >"$T/map"
write_config "aliases_file = $T/aliases" "alias_map = $T/map"

out=$("$T/bin/newaliases" -C "$CONF" 2>&1) || fail "newaliases: exit $?: $out"
echo "$out" | grep -q "aliases_file $T/aliases: 2 aliases" || fail "newaliases: $out"
echo "$out" | grep -q "warning: $T/aliases:3: \"|/usr/bin/procmail\": delivers locally" ||
    fail "no warning for the pipe: $out"
trace=$(nullrelay rewrite postmaster) || fail "rewrite: exit $?"
echo "$trace" | grep -q "key root: $T/aliases:3: root: ops@example.org" || fail "trace: $trace"
assert_eq "$(echo "$trace" | tail -1)" "postmaster => ops@example.org" "rewrite result"
pass "newaliases reads /etc/aliases; rewrite names its file and line"

start_smarthost
start_daemon
printf 'Subject: cron\n\nx\n' | sendmail -i root
printf 'Subject: web\n\nx\n' | sendmail -i www-data
wait_until 10 has_delivered 2 || fail "not delivered"
grep -q '"ops@example.org"' "$SH"/messages/*.json || fail "root did not reach ops@example.org"
grep -q '"catchall@example.net"' "$SH"/messages/*.json || fail "alias_map no longer applies"
pass "mail for root goes where /etc/aliases says; alias_map covers the rest"

# Edited while the daemon runs, with no reload: the next message follows the new entry, as
# Postfix notices a rebuilt aliases.db (here newaliases has nothing to build).
sed -i 's/^root: .*/root: oncall@example.org/' "$T/aliases"
printf 'Subject: after the edit\n\nx\n' | sendmail -i root
wait_until 10 has_delivered 3 || fail "not delivered after the edit"
grep -l '"oncall@example.org"' "$SH"/messages/*.json >/dev/null ||
    fail "the edit of the aliases file was not noticed: $(tail -5 "$T/daemon.log")"
grep -q "a map file changed" "$T/daemon.log" || fail "no log line for the reload"
pass "an edited aliases file applies to the next message without a reload"

echo "root ops@example.org" >>"$T/aliases"
set +e
out=$("$T/bin/newaliases" -C "$CONF" 2>&1)
rc=$?
set -e
assert_eq "$rc" 78 "newaliases on a bad aliases file"
echo "$out" | grep -q "$T/aliases:4: expected 'name: address" || fail "error text: $out"
pass "a bad line in /etc/aliases: newaliases names file and line, exit 78"
