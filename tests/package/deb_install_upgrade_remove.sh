#!/usr/bin/env bash
# The Debian package, end to end: builds it (lintian must report no error), installs it into
# a fresh Debian 12 root (debootstrap minbase; the tarball is cached under build/ so re-runs
# are fast), submits mail there with sendmail as root and as an unprivileged user to the test
# smarthost on loopback (nullrelayd runs in the chroot as nullrelay: chroot + setpriv, no
# systemd), upgrades with a message queued (not lost; the configuration debconf edited kept,
# and no question asked about it although the new version ships another default), then removes
# and purges (files, modes, and a purge that keeps a spool still holding mail).
# Needs root (debootstrap, chroot, mount); skipped (77) otherwise. The root comes from
# debian_root.sh (a cached tarball). Measured on 2 busy CPUs: about 3 min with the tarball
# (mostly building the package), 1.5-2 min more without it (debootstrap from the mirror).
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/debian_root.sh"
export DEBIAN_FRONTEND=noninteractive  # debconf asks nothing; preseeded answers apply
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
command -v debootstrap >/dev/null || fail "debootstrap missing (scripts/install-deps --test installs it)"

R=$T/root
in_root() { chroot "$R" "$@"; }
as_user() { local u=$1; shift; chroot "$R" setpriv --reuid="$u" --regid="$u" --init-groups "$@"; }
mode_of() { in_root stat -c '%a %U:%G' "$1"; }
delivered_at_least() { [ "$(delivered_count)" -ge "$1" ]; }

# 1. Build the package, and a second version of it to upgrade to (the same files repacked
#    with a higher version and a changed default configuration: what dpkg does on upgrade
#    does not depend on the build).
NO_DEPS=1 OUT_DIR=$T/deb "$SRC/scripts/build-deb" >"$T/build-deb.log" 2>&1 ||
    fail "build-deb (or lintian) failed: $(tail -30 "$T/build-deb.log")"
deb1=$(ls "$T"/deb/nullrelay_*_*.deb)
v1=$(dpkg-deb -f "$deb1" Version)
v2=$v1+upgrade1
dpkg-deb -R "$deb1" "$T/repack"
sed -i "s/^Version: .*/Version: $v2/" "$T/repack/DEBIAN/control"
shipped_conf=$(find "$T/repack" -path '*/nullrelay/nullrelay.conf')
[ -n "$shipped_conf" ] || fail "no nullrelay.conf in the package"
echo "# a line new in $v2" >>"$shipped_conf"
dpkg-deb -b "$T/repack" "$T/deb/nullrelay_${v2}.deb" >/dev/null
pass "built $v1 (lintian: no errors) and $v2"

# 2. A fresh Debian 12 root with the package's dependencies (dpkg -i then works offline).
fresh_debian_root "$R"
in_root useradd -m alice
# A chroot, as Debian's own build and install tools make them: maintainer scripts do not
# start daemons (invoke-rc.d asks policy-rc.d); the test starts them itself.
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"
pass "fresh bookworm root ready"

# 3. Install: files, links, modes, the user, the configuration (made by the postinst from the
#    shipped default: the debconf questions edit it, so it cannot be a conffile).
in_root true  # (resolv.conf etc. are not needed: everything is loopback)
cp "$T"/deb/nullrelay_*.deb "$R/tmp/"
in_root dpkg -i "/tmp/$(basename "$deb1")" >"$T/dpkg.log" 2>&1 || fail "dpkg -i: $(cat "$T/dpkg.log")"
assert_eq "$(mode_of /usr/sbin/nullrelay-sendmail)" "2755 root:nullrelay-submit" "setgid submission program"
assert_eq "$(in_root dpkg-statoverride --list /usr/sbin/nullrelay-sendmail)" \
    "root nullrelay-submit 2755 /usr/sbin/nullrelay-sendmail" "statoverride"
in_root id -nG nullrelay | tr ' ' '\n' | grep -qx nullrelay-submit ||
    fail "nullrelay is not in nullrelay-submit: $(in_root id nullrelay)"
for f in /usr/sbin/nullrelayd /usr/sbin/nullrelay; do assert_eq "$(mode_of $f)" "755 root:root" "$f"; done
assert_eq "$(in_root readlink -f /usr/sbin/sendmail)" /usr/sbin/nullrelay-sendmail "sendmail link"
assert_eq "$(in_root readlink -f /usr/lib/sendmail)" /usr/sbin/nullrelay-sendmail "/usr/lib/sendmail link"
assert_eq "$(in_root readlink -f /usr/bin/mailq)" /usr/sbin/nullrelay "mailq link"
assert_eq "$(in_root readlink -f /usr/bin/newaliases)" /usr/sbin/nullrelay "newaliases link"
assert_eq "$(mode_of /var/spool/nullrelay)" "755 nullrelay:nullrelay" "spool"
assert_eq "$(mode_of /var/spool/nullrelay/maildrop)" "1770 nullrelay:nullrelay-submit" "maildrop"
for d in data queue hold failed corrupt; do
    assert_eq "$(mode_of /var/spool/nullrelay/$d)" "700 nullrelay:nullrelay" "spool/$d"
done
assert_eq "$(mode_of /var/lib/nullrelay)" "700 nullrelay:nullrelay" "OAuth2 state directory"
in_root dpkg-query -W -f='${Conffiles}\n' nullrelay | grep -q '/etc/nullrelay/nullrelay.conf' &&
    fail "nullrelay.conf is a conffile, which the postinst's debconf edits may not touch"
assert_eq "$(mode_of /etc/nullrelay/nullrelay.conf)" "644 root:root" "configuration"
grep -q 'ExecStart=/usr/sbin/nullrelayd' "$R/lib/systemd/system/nullrelay.service" || fail "unit path"
for line in SyslogIdentifier=nullrelayd SyslogFacility=mail SupplementaryGroups=nullrelay-submit; do
    grep -qx "$line" "$R/lib/systemd/system/nullrelay.service" || fail "the unit lacks $line"
done
in_root test -e /usr/share/man/man8/sendmail.8.gz || fail "sendmail(8) man link"
in_root test -e /usr/share/man/man1/mailq.1.gz || fail "mailq(1) man page"
in_root nullrelay check | grep -q 'no smarthost is set' || fail "default config does not queue safely"
cmp -s "$R/etc/nullrelay/nullrelay.conf" "$SRC/packaging/nullrelay.conf" ||
    fail "a noninteractive install without preseeding changed the configuration"
pass "installed: files, links, modes, user, configuration"

# 4. Point it at the loopback smarthost through debconf (debconf-set-selections, then
#    dpkg-reconfigure, as README.Debian says), the test's own keys by hand; send, as root and
#    as alice. The password goes to the password file and out of debconf's database.
conf_value() { sed -n "s/^$1 = //p" "$R/etc/nullrelay/nullrelay.conf"; }
# debconf_value NAME: the Value of a question in debconf's database files.
debconf_value() {
    awk -v n="$1" '/^Name: / {inside = ($2 == n)} inside && /^Value:/ {sub(/^Value: ?/, ""); print}' \
        "$R"/var/cache/debconf/config.dat "$R"/var/cache/debconf/passwords.dat
}
not_in_debconf_db() {
    ! grep -rqF -- "$1" "$R"/var/cache/debconf/*.dat || fail "$2 left in $(grep -rlF -- "$1" "$R"/var/cache/debconf/*.dat)"
}
cp "$T/certs/ca.crt" "$R/etc/nullrelay/test-ca.crt"
cat >>"$R/etc/nullrelay/nullrelay.conf" <<CONF
tls_ca_file = /etc/nullrelay/test-ca.crt
hostname = relay.example.org
retry_min = 1s
retry_max = 2s
CONF
in_root debconf-set-selections <<SEL
nullrelay nullrelay/smarthost string localhost:$SMARTHOST_PORT
nullrelay nullrelay/auth_user string test
nullrelay nullrelay/password password secret
nullrelay nullrelay/admin_address string ops@example.org
nullrelay nullrelay/mailname string mail.example.org
SEL
in_root dpkg-reconfigure -f noninteractive nullrelay >"$T/dpkg.log" 2>&1 ||
    fail "dpkg-reconfigure: $(cat "$T/dpkg.log")"
assert_eq "$(conf_value smarthost)" "localhost:$SMARTHOST_PORT" "smarthost from debconf"
assert_eq "$(conf_value auth_user)" test "auth_user from debconf"
assert_eq "$(conf_value password_file)" /etc/nullrelay/password "password_file from debconf"
assert_eq "$(conf_value admin_address)" ops@example.org "admin_address from debconf"
assert_eq "$(conf_value retry_min)" 1s "the admin's own lines kept"
assert_eq "$(cat "$R/etc/mailname")" mail.example.org "/etc/mailname from debconf"
assert_eq "$(mode_of /etc/nullrelay/password)" "600 nullrelay:nullrelay" "password file"
assert_eq "$(cat "$R/etc/nullrelay/password")" secret "password file content"
assert_eq "$(debconf_value nullrelay/password)" "" "the password's value in debconf's database"
pass "debconf: preseeded answers and dpkg-reconfigure wrote the configuration; password only in its file"
start_smarthost
chroot_daemon() {
    : >>"$T/daemon.log"
    chroot "$R" setpriv --reuid=nullrelay --regid=nullrelay --init-groups \
        /usr/sbin/nullrelayd --foreground >>"$T/daemon.log" 2>&1 &
    DAEMON_PID=$!
    wait_until 10 grep -q "nullrelayd started" "$T/daemon.log" || fail "daemon did not start"
}
submit() {  # submit USER SUBJECT
    local cmd=(/usr/sbin/sendmail -t)
    if [ "$1" = root ]; then in_root "${cmd[@]}"; else as_user "$1" "${cmd[@]}"; fi <<MSG
To: admin@example.net
Subject: $2

sent by $1
MSG
}
chroot_daemon
submit root "from root" || fail "sendmail as root"
submit alice "from alice" || fail "sendmail as alice"
wait_until 20 delivered_at_least 2 || fail "2 messages not delivered"
grep -l 'Subject: from root' "$SH"/messages/*.eml >/dev/null || fail "root's message"
grep -l 'Subject: from alice' "$SH"/messages/*.eml >/dev/null || fail "alice's message"
pass "sendmail as root and as an unprivileged user delivered"

# 4a. dpkg-reconfigure after a changed selection changes the smarthost; a hand edit of a key
#     that debconf manages is kept by the next noninteractive reconfigure (and by upgrades).
echo "nullrelay nullrelay/smarthost string localhost:1" | in_root debconf-set-selections
in_root dpkg-reconfigure -f noninteractive nullrelay >"$T/dpkg.log" 2>&1 || fail "dpkg-reconfigure: $(cat "$T/dpkg.log")"
assert_eq "$(conf_value smarthost)" localhost:1 "smarthost after dpkg-reconfigure"
sed -i "s/^smarthost = .*/smarthost = localhost:$SMARTHOST_PORT/" "$R/etc/nullrelay/nullrelay.conf"
in_root dpkg-reconfigure -f noninteractive nullrelay >"$T/dpkg.log" 2>&1 || fail "dpkg-reconfigure: $(cat "$T/dpkg.log")"
assert_eq "$(conf_value smarthost)" "localhost:$SMARTHOST_PORT" "a hand-edited smarthost after dpkg-reconfigure"
assert_eq "$(in_root debconf-show nullrelay | sed -n 's/^[* ]*nullrelay\/smarthost: //p')" \
    "localhost:$SMARTHOST_PORT" "debconf's smarthost follows the hand edit"
pass "dpkg-reconfigure changes the smarthost; a hand edit is kept"

# 4b. Without systemd: /etc/init.d/nullrelay starts the daemon as nullrelay (start-stop-daemon
#     works in a chroot), and its log goes through syslog(3), facility mail, to rsyslog's
#     /var/log/mail.log (issue 18). rsyslogd is started by hand, without imklog (which would
#     read the host's kernel log).
stop_daemon
t0=$SECONDS
in_root apt-get update -q >"$T/apt.log" 2>&1 &&
    DEBIAN_FRONTEND=noninteractive in_root apt-get install -y -q --no-install-recommends rsyslog \
        >>"$T/apt.log" 2>&1 || fail "apt-get install rsyslog in the root: $(tail -5 "$T/apt.log")"
sed -i '/imklog/s/^/#/' "$R/etc/rsyslog.conf"
in_root rsyslogd || fail "rsyslogd did not start"
wait_until 10 in_root test -S /dev/log || fail "rsyslogd made no /dev/log"
pass "rsyslog installed and started in the root ($((SECONDS - t0)) s)"
in_root test -x /etc/init.d/nullrelay || fail "no /etc/init.d/nullrelay"
in_root ls /etc/rc2.d | grep -q '^S[0-9]*nullrelay$' || fail "the init script is not enabled (update-rc.d)"
in_root /etc/init.d/nullrelay start >"$T/init.log" 2>&1 || fail "init script start: $(cat "$T/init.log")"
wait_until 10 in_root test -s /run/nullrelayd.pid || fail "no pid file"
init_pid=$(cat "$R/run/nullrelayd.pid")
assert_eq "$(ps -o uid= -p "$init_pid" | tr -d ' ')" "$(in_root id -u nullrelay)" "the init script's daemon's uid (nullrelay)"
in_root /etc/init.d/nullrelay status >/dev/null || fail "init script status: not running"
in_root /etc/init.d/nullrelay start >"$T/init.log" 2>&1 || fail "a second start failed"
assert_eq "$(cat "$R/run/nullrelayd.pid")" "$init_pid" "a second start starts no second daemon"
submit alice "through the init script" || fail "sendmail with the init script's daemon"
wait_until 20 delivered_at_least 3 || fail "the init script's daemon did not deliver"
mail_log_has_delivery() { grep -q 'nullrelayd\[[0-9]*\]: .*to=<admin@example.net>.*status=sent' "$R/var/log/mail.log" 2>/dev/null; }
wait_until 10 mail_log_has_delivery ||
    fail "no delivery line in /var/log/mail.log: $(tail -5 "$R/var/log/mail.log" 2>&1)"
in_root /etc/init.d/nullrelay reload >"$T/init.log" 2>&1 || fail "init script reload: $(cat "$T/init.log")"
wait_until 10 grep -q 'nullrelayd\[[0-9]*\]: configuration reloaded' "$R/var/log/mail.log" || fail "reload not logged in mail.log"
in_root /etc/init.d/nullrelay stop >"$T/init.log" 2>&1 || fail "init script stop: $(cat "$T/init.log")"
# Gone, or a zombie: start-stop-daemon --background leaves the daemon's parent to the
# container's pid 1, which may never reap it (CI's does not).
daemon_alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $st != Z* ]]; }
wait_until 10 eval '! daemon_alive "$init_pid"' || fail "the daemon still runs after stop: $(ps -o stat=,args= -p "$init_pid")"
in_root /etc/init.d/nullrelay status >/dev/null && fail "status says running after stop"
in_root test ! -e /run/nullrelayd.pid || fail "pid file left after stop"
kill "$(cat "$R/run/rsyslogd.pid")" 2>/dev/null || true
pass "init script: start (as nullrelay, once), delivery line in /var/log/mail.log, reload, stop"

# 5. Upgrade with a message waiting: it survives and is delivered; the configuration debconf
#    edited stays, and dpkg asks nothing about it (no --force-conf*, no terminal) although
#    the new version's default differs.
#    The upgrade is from the layout of the versions before the submission group (issue 16,
#    item 5): sendmail setgid nullrelay, maildrop/ 1770 nullrelay:nullrelay, as their
#    postinst made it; the message waiting was submitted under it (its file of group
#    nullrelay). The upgrade moves them to nullrelay-submit.
stop_daemon
rm -f "$T/daemon.log"
in_root dpkg-statoverride --remove /usr/sbin/nullrelay-sendmail
in_root dpkg-statoverride --update --add root nullrelay 2755 /usr/sbin/nullrelay-sendmail
in_root chgrp nullrelay /var/spool/nullrelay/maildrop
in_root chmod 1770 /var/spool/nullrelay/maildrop
submit alice "queued across the upgrade" || fail "sendmail before the upgrade"
assert_eq "$(in_root find /var/spool/nullrelay/maildrop -type f -printf '%g\n')" nullrelay "old-layout submission's group"
cp "$R/etc/nullrelay/nullrelay.conf" "$T/conf-before-upgrade"
in_root dpkg -i "/tmp/nullrelay_${v2}.deb" </dev/null >"$T/dpkg.log" 2>&1 ||
    fail "upgrade: $(cat "$T/dpkg.log")"
grep -q "Configuration file" "$T/dpkg.log" && fail "dpkg asked about the configuration: $(cat "$T/dpkg.log")"
assert_eq "$(in_root dpkg-query -W -f='${Version}' nullrelay)" "$v2" "version after upgrade"
cmp -s "$T/conf-before-upgrade" "$R/etc/nullrelay/nullrelay.conf" ||
    fail "the upgrade changed the configuration: $(diff "$T/conf-before-upgrade" "$R/etc/nullrelay/nullrelay.conf")"
grep -q "smarthost = localhost:$SMARTHOST_PORT" "$R/etc/nullrelay/nullrelay.conf" || fail "configuration lost"
assert_eq "$(mode_of /usr/sbin/nullrelay-sendmail)" "2755 root:nullrelay-submit" "setgid after upgrade"
assert_eq "$(in_root dpkg-statoverride --list /usr/sbin/nullrelay-sendmail)" \
    "root nullrelay-submit 2755 /usr/sbin/nullrelay-sendmail" "statoverride after upgrade"
assert_eq "$(mode_of /var/spool/nullrelay/maildrop)" "1770 nullrelay:nullrelay-submit" "maildrop after upgrade"
chroot_daemon
wait_until 20 delivered_at_least 4 || fail "the message queued across the upgrade was lost"
grep -l 'Subject: queued across the upgrade' "$SH"/messages/*.eml >/dev/null || fail "wrong message"
submit alice "after the upgrade" || fail "sendmail after the upgrade"
wait_until 20 delivered_at_least 5 || fail "a message submitted after the upgrade was not delivered"
pass "upgrade moved the old layout to the submission group, kept the queued message and the configuration, asked nothing"

# 6. Remove: programs and links go, configuration and spool stay; purge keeps unsent mail.
stop_daemon
submit root "left in the queue at purge" || fail "sendmail before removal"
in_root dpkg -r nullrelay >"$T/dpkg.log" 2>&1 || fail "remove: $(cat "$T/dpkg.log")"
for f in /usr/sbin/nullrelay-sendmail /usr/sbin/nullrelayd /usr/sbin/nullrelay /usr/sbin/sendmail \
    /usr/lib/sendmail /usr/bin/mailq /usr/bin/newaliases; do
    in_root test ! -e "$f" -a ! -L "$f" || fail "$f left after remove"
done
in_root dpkg-statoverride --list /usr/sbin/nullrelay-sendmail >/dev/null && fail "statoverride left"
in_root test -f /etc/nullrelay/nullrelay.conf || fail "remove deleted the configuration"
in_root dpkg --purge nullrelay >"$T/dpkg.log" 2>&1 || fail "purge: $(cat "$T/dpkg.log")"
grep -q 'undelivered message' "$T/dpkg.log" || fail "purge did not say it kept the mail"
in_root test ! -e /etc/nullrelay/nullrelay.conf || fail "purge left the configuration"
in_root test ! -e /etc/nullrelay/password || fail "purge left the password file debconf wrote"
in_root test ! -e /var/lib/nullrelay || fail "purge left the OAuth2 state"
[ -n "$(find "$R/var/spool/nullrelay/maildrop" -type f)" ] || fail "purge deleted unsent mail"
pass "remove, and purge keeping a spool with unsent mail"

# 7. Purge with an empty spool removes it. The reinstall is preseeded before it (purge
#    forgot the answers): the configuration comes out of debconf at install.
find "$R/var/spool/nullrelay" -type f -delete
in_root debconf-show nullrelay | grep -q . && fail "purge left answers in debconf: $(in_root debconf-show nullrelay)"
in_root debconf-set-selections <<SEL
nullrelay nullrelay/smarthost string smtp.example.net:587
nullrelay nullrelay/auth_user string alerts@example.net
nullrelay nullrelay/password password pw-preseeded-$$
SEL
in_root dpkg -i "/tmp/$(basename "$deb1")" >"$T/dpkg.log" 2>&1 || fail "reinstall: $(cat "$T/dpkg.log")"
assert_eq "$(conf_value smarthost)" smtp.example.net:587 "preseeded smarthost at install"
assert_eq "$(conf_value auth_user)" alerts@example.net "preseeded account at install"
assert_eq "$(cat "$R/etc/nullrelay/password")" "pw-preseeded-$$" "preseeded password in its file"
not_in_debconf_db "pw-preseeded-$$" "the preseeded password"
assert_eq "$(debconf_value nullrelay/password)" "" "the preseeded password's value in debconf's database"
# debconf keeps its previous state in *.dat-old (config.dat-old, templates.dat-old; none for
# the passwords database, "Backup: false" in Debian's /etc/debconf.conf): the password must not
# be in any of them.
[ -e "$R/var/cache/debconf/config.dat-old" ] || fail "no config.dat-old: debconf's backups are elsewhere"
old=$(grep -lF -- "pw-preseeded-$$" "$R"/var/cache/debconf/*.dat-old || true)
[ -z "$old" ] || fail "the preseeded password is still in debconf's backup $old"
pass "a preseeded install writes the configuration; the password only in its file"
in_root dpkg --purge nullrelay >"$T/dpkg.log" 2>&1 || fail "purge: $(cat "$T/dpkg.log")"
in_root test ! -e /var/spool/nullrelay || fail "purge left an empty spool"
in_root getent passwd nullrelay >/dev/null || fail "the system user should stay (Debian practice)"
pass "purge with an empty spool removes it"
