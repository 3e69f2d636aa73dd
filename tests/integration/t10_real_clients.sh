# Each client of research/peers.md §3, with its exact sendmail command line and header style,
# gets the right envelope at the smarthost and headers a strict smarthost accepts: every
# address qualified, one Date, one Message-ID, no Bcc, CRLF throughout.
source "$(dirname "$0")/lib.sh"
start_smarthost
start_daemon
n=0

# client NAME WANT_FROM WANT_RCPTS_JSON FROM_DISPLAY -- sendmail args... (message on stdin)
client() {
    local name=$1 want_from=$2 want_rcpts=$3 display=$4; shift 5
    n=$((n + 1))
    sendmail "$@" || fail "$name: sendmail exit $?"
    wait_until 10 has_delivered $n || fail "$name: not delivered"
    assert_eq "$(json_field $n mail_from)" "$want_from" "$name: envelope sender"
    assert_eq "$(json_field $n rcpt_tos)" "$want_rcpts" "$name: envelope recipients"
    local opts=(--body-contains "body of $name")
    [ -n "$display" ] && opts+=(--from-display "$display")
    $PY "$SRC/tests/integration/check_message.py" "$(eml $n)" "${opts[@]}" || fail "$name: headers"
    pass "$name"
}

client debian-cron root@example.org '["root@example.org"]' "Cron Daemon" -- -FCronDaemon -i -B8BITMIME -oem root \
    < <(printf 'From: root (Cron Daemon)\nTo: root\nSubject: Cron <root@host> /usr/local/bin/backup\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\nX-Cron-Env: <SHELL=/bin/sh>\n\nbody of debian-cron\n.\nstill cron output after a lone dot\n')
grep -q "still cron output" "$(eml $n)" || fail "debian-cron: -i output cut at a lone dot"

# MAILTO="ops@example.net, dev@example.net" arrives split on white space.
client debian-cron-list root@example.org '["ops@example.net", "dev@example.net"]' "Cron Daemon" -- -FCronDaemon -i -B8BITMIME -oem ops@example.net, dev@example.net \
    < <(printf 'From: root (Cron Daemon)\nTo: ops@example.net, dev@example.net\nSubject: Cron <root@host> true\n\nbody of debian-cron-list\n')

client cronie root@example.org '["admin@example.net"]' "Cron Daemon" -- -FCronDaemon -i -odi -oem -oi -t -f root \
    < <(printf 'From: root (Cron Daemon)\nTo: admin@example.net\nSubject: Cron <root@host> job\nAuto-Submitted: auto-generated\nX-Cron-Env: <HOME=/root>\n\nbody of cronie\n')

client systemd-cron root@example.org '["root@example.org"]' "systemd-cron" -- -i -B8BITMIME root \
    < <(printf 'Date: Sat, 21 Nov 2026 10:00:00 +0000\nFrom: root (systemd-cron)\nTo: root\nSubject: [host] job failed\nAuto-Submitted: auto-generated\n\nbody of systemd-cron\n')

client at root@example.org '["root@example.org"]' "" -- -i root \
    < <(printf 'Subject: Output from your job 42\nTo: root\n\nbody of at\n')

client bsd-mailx root@example.org '["admin@example.net"]' "" -- -i -t \
    < <(printf 'To: admin@example.net\nSubject: bsd-mailx\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\nbody of bsd-mailx\n')

client gnu-mail root@example.org '["root@example.org"]' "" -- -oi -f root@relay.example.org -t \
    < <(printf 'To: root\nSubject: gnu mail\nDate: Sat, 21 Nov 2026 10:00:00 +0000\n\nbody of gnu-mail\n')

client mutt torres@example.org '["a@example.net", "b@example.net"]' "Torres" -- -oem -oi -B8BITMIME -f torres@example.org -N success,failure -R hdrs -- a@example.net b@example.net \
    < <(printf 'From: Torres <torres@example.org>\nTo: a@example.net, b@example.net\nSubject: mutt\nMessage-ID: <mutt.1@example.org>\nDate: Sat, 21 Nov 2026 10:00:00 +0000\n\nbody of mutt\n')

client git-send-email dev@example.org '["list@example.net", "reviewer@example.net", "hidden@example.net"]' "Dev" -- -f dev@example.org -i list@example.net reviewer@example.net hidden@example.net \
    < <(printf 'From: Dev <dev@example.org>\nTo: list@example.net\nCc: reviewer@example.net\nSubject: [PATCH] fix\nMessage-ID: <20261121.1-git@example.org>\nDate: Sat, 21 Nov 2026 10:00:00 +0000\n\nbody of git-send-email\n')

client php-mail shop@example.org '["customer@example.net"]' "" -- -t -i -f shop@example.org \
    < <(printf 'To: customer@example.net\r\nSubject: Your order\r\nFrom: shop@example.org\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nbody of php-mail\r\nline two\r\n')
grep -q $'line two\r$' "$(eml $n)" || fail "php-mail: CRLF body"

client mdadm root@example.org '["root@example.org"]' "mdadm monitoring" -- -t \
    < <(printf 'From: mdadm monitoring <root@host.example.org>\nTo: root\nSubject: Fail event on /dev/md0\n\nbody of mdadm\n')

client logwatch root@example.org '["root@example.org"]' "" -- -t \
    < <(printf 'To: root\nFrom: Logwatch\nSubject: Logwatch for host\nMIME-Version: 1.0\n\nbody of logwatch\n')

client unattended-upgrades root@example.org '["root@example.org"]' "" -- -oi -t \
    < <(printf 'Subject: unattended-upgrades result for host: SUCCESS\nFrom: root\nTo: root\nAuto-Submitted: auto-generated\n\nbody of unattended-upgrades\n')

client fail2ban root@example.org '["root@example.org"]' "Fail2Ban" -- -f root@relay.example.org root@localhost \
    < <(printf 'Subject: [Fail2Ban] sshd: banned 192.0.2.7\nDate: Sat, 21 Nov 2026 10:00:00 +0000\nFrom: Fail2Ban <root@relay.example.org>\nTo: root@localhost\n\nbody of fail2ban\n')

grep -qi '^Bcc:' "$SH"/messages/*.eml && fail "a Bcc header reached the smarthost"
pass "all clients"
