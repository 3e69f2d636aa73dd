# nullrelay-sendmail -C FILE is honoured for root only (man/nullrelay-sendmail.8): the program is
# setgid to the daemon's group, so a caller who could name the configuration could pick the
# spool (and so the directory it writes into with the group's rights) and probe files. For an
# unprivileged caller -C is ignored with a warning: the submission lands in the spool of the
# default configuration, never in the one -C names - even when that one would be writable to
# them - and a -C naming a file that does not exist is not even opened. Root's -C still works.
#
# As in t52, the user runs in a private mount namespace whose /etc is an overlay holding the
# test's configuration at the default path; the real /etc is never changed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/unprivileged.sh"

# The configuration the user names with -C: another spool whose maildrop/ the user could write
# to, so nothing but the root-only rule keeps the submission out of it.
OTHER=$T/other-spool
mkdir -p "$OTHER"/{data,queue,hold,failed,corrupt}
install -d -m 1777 "$OTHER/maildrop"
sed "s|^spool_dir = .*|spool_dir = $OTHER|" "$CONF" >"$T/other.conf"
chmod 644 "$T/other.conf"

files_in() { find "$1" -type f | wc -l; }
WARNING="sendmail: -C is honoured for root only; ignored"

# 1. The user's -C is ignored with the warning; the message lands in the default spool.
printf 'Subject: user with -C\n\nhello\n' |
    as_user "$T/bin/nullrelay-sendmail" -C "$T/other.conf" -i user-c@example.net 2>"$T/err" ||
    fail "the user's submission with -C failed: $(cat "$T/err")"
assert_eq "$(cat "$T/err")" "$WARNING" "the warning on stderr"
assert_eq "$(files_in "$SPOOL/maildrop")" 1 "in the default spool's maildrop/"
assert_eq "$(files_in "$OTHER")" 0 "nothing in the -C spool"
pass "a non-root caller's -C is ignored with a warning; the message is in the default spool"

# 2. A -C naming a file that does not exist: not opened (no error, no probing), same warning.
printf 'Subject: user with missing -C\n\nhello\n' |
    as_user "$T/bin/nullrelay-sendmail" -i -C "$T/no-such.conf" user-missing@example.net 2>"$T/err" ||
    fail "a missing -C file failed the user's submission: $(cat "$T/err")"
assert_eq "$(cat "$T/err")" "$WARNING" "the warning for a missing -C file"
assert_eq "$(files_in "$SPOOL/maildrop")" 2 "the second one in the default spool too"
pass "a non-root caller's -C naming a missing file is not opened"

# 3. Both are complete submissions of that user: the daemon of the default spool delivers them.
start_smarthost
start_daemon_as_daemon_user
wait_until 10 has_delivered 2 || fail "the user's messages were not delivered: $(cat "$T/daemon.log")"
assert_eq "$(grep -c "uid=$USR_UID from=" "$T/daemon.log")" 2 "both recorded as the user's"
assert_eq "$(cat "$SH"/messages/*.json | grep -o '"user-[a-z]*@example.net"' | sort | tr '\n' ' ')" \
    '"user-c@example.net" "user-missing@example.net" ' "both delivered"
pass "the default spool's daemon delivered both, as the user's"

# 4. The contrast: root's -C is honoured, so the -C configuration itself was a working one.
printf 'Subject: root with -C\n\nhello\n' |
    "$T/bin/nullrelay-sendmail" -C "$T/other.conf" -i root-c@example.net 2>"$T/err" ||
    fail "root's submission with -C failed: $(cat "$T/err")"
assert_eq "$(cat "$T/err")" "" "no warning for root"
assert_eq "$(files_in "$OTHER/maildrop")" 1 "root's message is in the -C spool"
pass "root's -C is honoured"
