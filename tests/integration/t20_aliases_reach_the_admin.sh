# Cron mail to root, to www-data and to nobody@localhost reaches the admin through the alias
# map and admin_address, with a qualified From: and no bare local name in any address header;
# the log keeps the original recipient.
source "$(dirname "$0")/lib.sh"

cat >"$T/aliases" <<'MAP'
# system accounts go to the admin
/^(root|postmaster)$/   admin@example.net
# www-data is root's business (looked up again)
/^www-data$/            root
MAP
# nobody matches no rule: admin_address takes it.
write_config "alias_map = $T/aliases" "admin_address = admin@example.net"
start_smarthost
start_daemon

# cron_mail USER RECIPIENT: what Debian cron runs for a job of USER with output.
cron_mail() {
    printf 'From: %s (Cron Daemon)\nTo: %s\nSubject: Cron <%s@relay> /usr/local/bin/job\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\nX-Cron-Env: <SHELL=/bin/sh>\nX-Cron-Env: <LOGNAME=%s>\n\njob output\n' \
        "$1" "$2" "$1" "$1" | sendmail -FCronDaemon -i -B8BITMIME -oem "$2" ||
        fail "sendmail for $2: exit $?"
}
cron_mail root root
cron_mail www-data www-data
cron_mail nobody nobody@localhost
wait_until 10 has_delivered 3 || fail "not all three delivered"

# Every address header holds complete addresses, none in a local domain.
check_headers() {
    $PY - "$1" <<'PY'
import sys, email, email.utils, email.policy
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.compat32)
local = {"localhost", "localhost.localdomain", "relay.example.org"}
for field in ("From", "To", "Cc", "Sender", "Reply-To", "Resent-From", "Resent-To", "Resent-Cc"):
    for name, addr in email.utils.getaddresses(msg.get_all(field, [])):
        domain = addr.rpartition("@")[2].lower() if "@" in addr else ""
        if not domain or domain in local:
            sys.exit(f"{field}: bare or local address {addr!r}")
PY
}
for n in 1 2 3; do
    assert_eq "$(json_field $n rcpt_tos)" '["admin@example.net"]' "message $n envelope recipient"
    json_field $n mail_from | grep -q '@example\.org$' || fail "message $n sender not qualified"
    check_headers "$(eml $n)" || fail "message $n has a bare local address"
    grep -q $'^To: admin@example.net\r$' "$(eml $n)" || fail "message $n To: not rewritten"
    grep -q $'^X-Cron-Env: <LOGNAME=' "$(eml $n)" || fail "message $n lost a header"
done
pass "root, www-data and nobody@localhost reach admin@example.net, headers included"

# From: root (Cron Daemon) leaves as a valid address with its name.
froms=$(for n in 1 2 3; do grep -h '^From:' "$(eml $n)"; done | tr -d '\r' | sort)
assert_eq "$froms" "$(printf 'From: Cron Daemon <nobody@example.org>\nFrom: Cron Daemon <root@example.org>\nFrom: Cron Daemon <www-data@example.org>')" "From: headers"
pass "From: qualified with the display name kept"

# The log still names the recipient as submitted.
for orig in root www-data nobody@localhost; do
    grep -q "to=<admin@example.net>, orig_to=<$orig>" "$T/daemon.log" || fail "orig_to=<$orig> not logged"
done
pass "orig_to= keeps the original recipients"

# A loop is reported and the message still reaches a person.
printf '/^a$/ b\n/^b$/ a\n' >>"$T/aliases"
stop_daemon
start_daemon
printf 'Subject: loop\n\nx\n' | sendmail -i a || fail "sendmail a"
wait_until 10 has_delivered 4 || fail "looping message not delivered"
assert_eq "$(json_field 4 rcpt_tos)" '["admin@example.net"]' "loop goes to admin_address"
grep -q 'to=<a>: alias loop: a -> b -> a' "$T/daemon.log" || fail "loop not logged"
pass "an alias loop is logged and the message goes to admin_address"
