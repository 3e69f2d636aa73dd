#!/usr/bin/env bash
# The Debian package, end to end: builds it (lintian must report no error), installs it into
# a fresh Debian 12 root (debootstrap minbase; the tarball is cached under build/ so re-runs
# are fast), submits mail there with sendmail as root and as an unprivileged user to the test
# smarthost on loopback (nullrelayd runs in the chroot as nullrelay: chroot + setpriv, no
# systemd), upgrades with a message queued (not lost; the edited conffile kept), then removes
# and purges (files, modes, and a purge that keeps a spool still holding mail).
# Needs root (debootstrap, chroot, mount); skipped (77) otherwise.
#   NULLRELAY_DEB_CACHE  where the debootstrap tarball is kept (default SRC/build/cache)
#   DEBIAN_MIRROR        default: the first deb.debian.org-style URI apt uses here
# The cached root holds the package's dependencies (--include below): delete the tarball when
# they change. Measured on 2 busy CPUs: about 3 min with the tarball (mostly building the
# package), 1.5-2 min more without it (debootstrap from the mirror, then the tarball).
source "$(dirname "$0")/../integration/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
command -v debootstrap >/dev/null || fail "debootstrap missing (scripts/install-deps installs it)"

R=$T/root
cache=${NULLRELAY_DEB_CACHE:-$SRC/build/cache}
in_root() { chroot "$R" "$@"; }
as_user() { local u=$1; shift; chroot "$R" setpriv --reuid="$u" --regid="$u" --init-groups "$@"; }
mode_of() { in_root stat -c '%a %U:%G' "$1"; }
delivered_at_least() { [ "$(delivered_count)" -ge "$1" ]; }

# 1. Build the package, and a second version of it to upgrade to (the same files repacked
#    with a higher version: what dpkg does on upgrade does not depend on the build).
NO_DEPS=1 OUT_DIR=$T/deb "$SRC/scripts/build-deb" >"$T/build-deb.log" 2>&1 ||
    fail "build-deb (or lintian) failed: $(tail -30 "$T/build-deb.log")"
deb1=$(ls "$T"/deb/nullrelay_*_*.deb)
v1=$(dpkg-deb -f "$deb1" Version)
v2=$v1+upgrade1
dpkg-deb -R "$deb1" "$T/repack"
sed -i "s/^Version: .*/Version: $v2/" "$T/repack/DEBIAN/control"
dpkg-deb -b "$T/repack" "$T/deb/nullrelay_${v2}.deb" >/dev/null
pass "built $v1 (lintian: no errors) and $v2"

# 2. A fresh Debian 12 root with the package's dependencies (dpkg -i then works offline).
tarball=$cache/bookworm-minbase.tar.gz
if [ ! -s "$tarball" ]; then
    mirror=${DEBIAN_MIRROR:-$( (cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null || true) |
        grep -oE '^(URIs:|deb) *https?://[^ ]*/debian/?( |$)' | grep -oE 'https?://[^ ]*' | head -1 || true)}
    mirror=${mirror:-http://deb.debian.org/debian}
    debootstrap --variant=minbase --include=adduser,libcurl4,libfmt9,libpcre2-8-0,libssl3,ca-certificates \
        bookworm "$R" "$mirror" >"$T/debootstrap.log" 2>&1 ||
        fail "debootstrap from $mirror failed: $(tail -5 "$T/debootstrap.log")"
    rm -rf "$R"/var/cache/apt/archives/*.deb
    mkdir -p "$cache"
    tar -C "$R" -czf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
else
    mkdir -p "$R" && tar -C "$R" -xzf "$tarball"
fi
mount -t proc proc "$R/proc"
CLEANUP_HOOKS+=("umount -l '$R/proc'")
in_root useradd -m alice
pass "fresh bookworm root ready"

# 3. Install: files, links, modes, the user, the conffile.
in_root true  # (resolv.conf etc. are not needed: everything is loopback)
cp "$T"/deb/nullrelay_*.deb "$R/tmp/"
in_root dpkg -i "/tmp/$(basename "$deb1")" >"$T/dpkg.log" 2>&1 || fail "dpkg -i: $(cat "$T/dpkg.log")"
assert_eq "$(mode_of /usr/sbin/nullrelay-sendmail)" "2755 root:nullrelay" "setgid submission program"
assert_eq "$(in_root dpkg-statoverride --list /usr/sbin/nullrelay-sendmail)" \
    "root nullrelay 2755 /usr/sbin/nullrelay-sendmail" "statoverride"
for f in /usr/sbin/nullrelayd /usr/sbin/nullrelay; do assert_eq "$(mode_of $f)" "755 root:root" "$f"; done
assert_eq "$(in_root readlink -f /usr/sbin/sendmail)" /usr/sbin/nullrelay-sendmail "sendmail link"
assert_eq "$(in_root readlink -f /usr/lib/sendmail)" /usr/sbin/nullrelay-sendmail "/usr/lib/sendmail link"
assert_eq "$(in_root readlink -f /usr/bin/mailq)" /usr/sbin/nullrelay "mailq link"
assert_eq "$(in_root readlink -f /usr/bin/newaliases)" /usr/sbin/nullrelay "newaliases link"
assert_eq "$(mode_of /var/spool/nullrelay)" "755 nullrelay:nullrelay" "spool"
assert_eq "$(mode_of /var/spool/nullrelay/maildrop)" "1770 nullrelay:nullrelay" "maildrop"
for d in data queue hold failed corrupt; do
    assert_eq "$(mode_of /var/spool/nullrelay/$d)" "700 nullrelay:nullrelay" "spool/$d"
done
assert_eq "$(mode_of /var/lib/nullrelay)" "700 nullrelay:nullrelay" "OAuth2 state directory"
in_root dpkg-query -W -f='${Conffiles}\n' nullrelay | grep -q '/etc/nullrelay/nullrelay.conf' ||
    fail "nullrelay.conf is not a conffile"
grep -q 'ExecStart=/usr/sbin/nullrelayd' "$R/lib/systemd/system/nullrelay.service" || fail "unit path"
in_root test -e /usr/share/man/man8/sendmail.8.gz || fail "sendmail(8) man link"
in_root test -e /usr/share/man/man1/mailq.1.gz || fail "mailq(1) man page"
in_root nullrelay check | grep -q 'no smarthost is set' || fail "default config does not queue safely"
pass "installed: files, links, modes, user, conffile"

# 4. Point it at the loopback smarthost and send, as root and as alice.
cp "$T/certs/ca.crt" "$R/etc/nullrelay/test-ca.crt"
echo secret | in_root install -o nullrelay -g nullrelay -m 0600 /dev/stdin /etc/nullrelay/password
cat >>"$R/etc/nullrelay/nullrelay.conf" <<CONF
smarthost = localhost:$SMARTHOST_PORT
tls_ca_file = /etc/nullrelay/test-ca.crt
auth_user = test
password_file = /etc/nullrelay/password
hostname = relay.example.org
retry_min = 1s
retry_max = 2s
CONF
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

# 5. Upgrade with a message waiting: it survives and is delivered; the edited conffile stays.
stop_daemon
rm -f "$T/daemon.log"
submit alice "queued across the upgrade" || fail "sendmail before the upgrade"
in_root dpkg -i --force-confold "/tmp/nullrelay_${v2}.deb" >"$T/dpkg.log" 2>&1 ||
    fail "upgrade: $(cat "$T/dpkg.log")"
assert_eq "$(in_root dpkg-query -W -f='${Version}' nullrelay)" "$v2" "version after upgrade"
grep -q "smarthost = localhost:$SMARTHOST_PORT" "$R/etc/nullrelay/nullrelay.conf" || fail "conffile lost"
assert_eq "$(mode_of /usr/sbin/nullrelay-sendmail)" "2755 root:nullrelay" "setgid after upgrade"
assert_eq "$(mode_of /var/spool/nullrelay/maildrop)" "1770 nullrelay:nullrelay" "maildrop after upgrade"
chroot_daemon
wait_until 20 delivered_at_least 3 || fail "the message queued across the upgrade was lost"
grep -l 'Subject: queued across the upgrade' "$SH"/messages/*.eml >/dev/null || fail "wrong message"
pass "upgrade kept the queued message and the conffile"

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
in_root test ! -e /var/lib/nullrelay || fail "purge left the OAuth2 state"
[ -n "$(find "$R/var/spool/nullrelay/maildrop" -type f)" ] || fail "purge deleted unsent mail"
pass "remove, and purge keeping a spool with unsent mail"

# 7. Purge with an empty spool removes it.
find "$R/var/spool/nullrelay" -type f -delete
in_root dpkg -i "/tmp/$(basename "$deb1")" >"$T/dpkg.log" 2>&1 || fail "reinstall: $(cat "$T/dpkg.log")"
in_root dpkg --purge nullrelay >"$T/dpkg.log" 2>&1 || fail "purge: $(cat "$T/dpkg.log")"
in_root test ! -e /var/spool/nullrelay || fail "purge left an empty spool"
in_root getent passwd nullrelay >/dev/null || fail "the system user should stay (Debian practice)"
pass "purge with an empty spool removes it"
