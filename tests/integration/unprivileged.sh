# A production-like installation for scenarios with a real unprivileged user (t14, t52):
# throwaway users (USR submits mail; DAEMON_USR runs the daemon and owns the spool; SUBMIT_GRP
# is the submission group, as nullrelay-submit), a setgid copy of nullrelay-sendmail in
# $T/bin, the spool and password with install-system's modes, and the test configuration at
# the default path seen through as_user. Sourced after lib.sh.
#
# as_user needs a private mount namespace, which unshare cannot make where the root directory
# is not a mount point (a chroot, some containers: "cannot change root filesystem
# propagation"). There the scenario is skipped (77), saying why, before anything is set up.
if ! why=$(unshare -m -- true 2>&1); then
    echo "skip: no private mount namespace here (${why:-unshare -m failed}): the root directory is not a mount point (a chroot or a container?)"
    exit 77
fi

USR=nrtest$$       # the local user submitting mail
DAEMON_USR=nrtd$$  # the daemon's user, and its group
SUBMIT_GRP=nrts$$  # the submission group (nullrelay-submit): sendmail's, the daemon's user's too
userdel_all() {
    userdel "$USR" 2>/dev/null || true
    userdel "$DAEMON_USR" 2>/dev/null || true
    groupdel "$DAEMON_USR" 2>/dev/null || true
    groupdel "$SUBMIT_GRP" 2>/dev/null || true
}
CLEANUP_HOOKS+=("kill -9 \$DAEMON_PID 2>/dev/null; userdel_all")
groupadd "$DAEMON_USR"
groupadd "$SUBMIT_GRP"
useradd -M -N -g "$DAEMON_USR" -G "$SUBMIT_GRP" -d /nonexistent -s /usr/sbin/nologin "$DAEMON_USR"
useradd -M -N -g nogroup -d /nonexistent -s /usr/sbin/nologin "$USR"
USR_UID=$(id -u "$USR")

chmod 755 "$T"
install -d -m 755 "$T/bin" "$T/etc/nullrelay" "$T/ovl-work"
install -m 755 "$BIN/nullrelay" "$T/bin/nullrelay"
install -g "$SUBMIT_GRP" -m 2755 "$BIN/nullrelay-sendmail" "$T/bin/nullrelay-sendmail"
rm -rf "$SPOOL"
install -d -o "$DAEMON_USR" -g "$DAEMON_USR" -m 0755 "$SPOOL"
install -d -o "$DAEMON_USR" -g "$SUBMIT_GRP" -m 1770 "$SPOOL/maildrop"
for d in data queue hold failed corrupt; do install -d -o "$DAEMON_USR" -g "$DAEMON_USR" -m 0700 "$SPOOL/$d"; done
install -d -o "$DAEMON_USR" -g "$DAEMON_USR" -m 0700 "$T/secret"
install -o "$DAEMON_USR" -g "$DAEMON_USR" -m 0600 /dev/null "$T/secret/password"
echo secret >"$T/secret/password"
chmod -R a+rX "$T/certs"
write_config "password_file = $T/secret/password"
install -m 644 "$CONF" "$T/etc/nullrelay/nullrelay.conf"

# as_user CMD...: runs CMD as the user in a private mount namespace whose /etc is an overlay
# holding the test configuration at the default path (the setgid program honours only that
# one for non-root callers); the real /etc is never changed.
as_user() {
    unshare -m -- sh -c 'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1,workdir=$2" /etc &&
        shift 2 && exec setpriv --reuid="$0" --regid=nogroup --init-groups "$@"' \
        "$USR" "$T/etc" "$T/ovl-work" "$@"
}

# start_daemon_as_daemon_user: nullrelayd running as DAEMON_USR on the test configuration.
start_daemon_as_daemon_user() {
    : >>"$T/daemon.log"
    setpriv --reuid="$DAEMON_USR" --regid="$DAEMON_USR" --init-groups \
        "$BIN/nullrelayd" -C "$CONF" --foreground >>"$T/daemon.log" 2>&1 &
    DAEMON_PID=$!
    wait_until 10 grep -q "nullrelayd started" "$T/daemon.log" ||
        fail "daemon did not start: $(cat "$T/daemon.log")"
}
