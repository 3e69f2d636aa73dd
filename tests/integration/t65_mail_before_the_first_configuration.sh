# Issue 18, items 1 and 2: mail submitted before the admin configures nullrelay (right after
# `apt install`) waits in maildrop/ untouched, so that it goes out rewritten with the
# configuration in force when it is sent (the admin's aliases and sender_domain), not with a
# fresh install's defaults; and mailq lists it meanwhile, with the daemon running or not,
# for root all of it, for a user their own.
source "$(dirname "$0")/lib.sh"
chmod 755 "$T"  # mktemp made it 0700: nobody must reach the socket and the configuration
start_smarthost
# A fresh install: no smarthost, no alias map, no sender_domain.
cat >"$CONF" <<CONF
spool_dir = $SPOOL
hostname = host.example.org
queue_minfree = 1M
aliases_file = none
CONF
printf 'Subject: cron output\n\nx\n' | sendmail -i root || fail "sendmail"
printf 'Subject: from nobody\n\ny\n' | sendmail -i friend@example.net || fail "sendmail 2"
mine=$(ls "$SPOOL/maildrop" | sort | tail -1)
chown 65534 "$SPOOL/maildrop/$mine"

# mailq without a daemon: root sees both, not yet picked up.
listing=$("$BIN/nullrelay" -C "$CONF" queue) || fail "mailq without a daemon: exit $?"
echo "$listing" | grep -q "(waiting to be picked up)" || fail "not shown as waiting: $listing"
assert_eq "$(echo "$listing" | tail -1)" "-- 0 Kbytes in 2 Requests." "both listed: $listing"
"$BIN/nullrelay" -C "$CONF" queue --json | $PY -c '
import json, sys
ms = [json.loads(l) for l in sys.stdin if l.strip()]
assert len(ms) == 2 and all(m["queue"] == "maildrop" and m["state"] == "maildrop" for m in ms), ms
' || fail "JSON listing of maildrop/"
pass "mailq lists maildrop/ without a daemon"

# The daemon runs, still without a smarthost: nothing is picked up; a user sees their own.
start_daemon
sleep 1
assert_eq "$(ids_in "$SPOOL/maildrop")" 2 "both still in maildrop/"
assert_eq "$(ids_in "$SPOOL/queue")" 0 "nothing queued"
grep -q "no smarthost configured: submissions wait in maildrop/" "$T/daemon.log" || fail "not said"
own=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN/nullrelay" -C "$CONF" queue) ||
    fail "mailq as nobody: exit $?"
echo "$own" | grep -q "friend@example.net" || fail "nobody's own not listed: $own"
echo "$own" | grep -q "root" && fail "root's message shown to nobody: $own"
pass "with the daemon and no smarthost: mail waits in maildrop/, users see their own"

# The admin configures the smarthost, the aliases and the sender domain, and reloads.
echo "/^root\$/ ops@example.net" >"$T/aliases"
write_config "hostname = host.example.org" "alias_map = $T/aliases" "sender_domain = example.com"
kill -HUP "$DAEMON_PID"
wait_until 20 has_delivered 2 || fail "not delivered after the configuration"
cron=$(grep -l '"ops@example.net"' "$SH"/messages/*.json) || fail "root's mail did not reach the alias"
assert_eq "$(json_field "$(basename "${cron%.json}" | sed 's/^0*//')" mail_from)" "root@example.com" \
    "sender qualified with the new sender_domain"
grep -qE $'^From: (root <)?root@example.com>?\r$' "${cron%.json}.eml" || fail "From: not from the new domain: $(grep -a '^From:' "${cron%.json}.eml")"
pass "sent with the configuration in force when it went: aliases and sender_domain"
