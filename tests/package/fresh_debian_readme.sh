#!/usr/bin/env bash
# The README's routes on a fresh Debian 12 (debootstrap minbase: no compiler, no
# build-essential, no sudo), each from a copy of this tree in a 0700 home, with apt-get
# reaching Debian's mirror from inside the root:
#   1. as root, from /root/nullrelay: scripts/quickstart installs only what building and
#      running need (no clang, lintian, debootstrap, monitoring plugins, Catch2), builds,
#      installs, starts nullrelayd and the demo smarthost (as nobody, which cannot read the
#      clone), and the test message arrives there. /run/nullrelayd.pid holds the daemon's own
#      pid (kill -HUP through it reloads), its log has no runuser noise, and the end of the
#      output tells the admin that real mail for root needs admin_address or an alias.
#   2. in a second fresh root, as a user with sudo, from /home/alice/nullrelay (0700):
#      scripts/build-deb (which installs build-essential and the build dependencies itself,
#      through sudo), then `sudo apt install ./build/deb/nullrelay_*_amd64.deb`; the package's
#      sendmail then queues mail. Without sudo, quickstart says to run it as root.
# Needs root (debootstrap, chroot, mount) and Debian's mirror; skipped (77) without root.
# The roots come from debian_root.sh's cached tarball (shared with the package test). Takes
# about 10 minutes on 2 otherwise idle cores (two builds, and apt downloading the compiler
# once: the second root gets the first one's downloaded packages); see the timing printed.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/debian_root.sh"
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
command -v debootstrap >/dev/null || fail "debootstrap missing (scripts/install-deps --test installs it)"

PATH_IN_ROOT=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
in_root() {  # in_root ROOT CMD...: as root in ROOT, with a clean environment, no stdin
    local root=$1; shift
    chroot "$root" /usr/bin/env -i PATH="$PATH_IN_ROOT" HOME=/root LANG=C.UTF-8 TERM=dumb "$@" </dev/null
}
as_alice() {  # as_alice ROOT COMMAND-LINE: a login shell of alice's, in her clone
    local root=$1; shift
    in_root "$root" su -l alice -c "cd ~/nullrelay && $*"
}
# copy_tree DIR: this tree as a clone has it (tracked and untracked files, not build/).
copy_tree() {
    mkdir -p "$1"
    if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
        git -C "$SRC" ls-files -z --cached --others --exclude-standard |
            (cd "$SRC" && xargs -0 cp -a --parents -t "$1" 2>/dev/null || true)
    else
        tar -C "$SRC" --exclude=./build --exclude=./.git -cf - . | tar -C "$1" -xf -
    fi
    [ -x "$1/scripts/quickstart" ] || fail "copying the tree to $1 failed"
}
not_installed() {  # not_installed ROOT PACKAGE...
    local root=$1 p; shift
    for p in "$@"; do
        in_root "$root" dpkg -s "$p" >/dev/null 2>&1 && fail "$p is installed in $root"
    done
    return 0
}
t0=$SECONDS
timing=()
took() { timing+=("$1 $((SECONDS - $2))s"); }

# 1. quickstart as root, from /root (0700).
R1=$T/root1
s=$SECONDS
fresh_debian_root "$R1"
not_installed "$R1" sudo build-essential g++ make
assert_eq "$(stat -c %a "$R1/root")" 700 "root's home"
copy_tree "$R1/root/nullrelay"
took "fresh root" $s
demo_port=$(free_port)
s=$SECONDS
in_root "$R1" DEMO_PORT="$demo_port" /root/nullrelay/scripts/quickstart >"$T/quickstart.log" 2>&1 ||
    fail "quickstart as root failed: $(tail -40 "$T/quickstart.log")"
took "quickstart" $s
grep -q "The demo smarthost received it" "$T/quickstart.log" ||
    fail "the test message did not reach the demo smarthost: $(tail -30 "$T/quickstart.log")"
not_installed "$R1" clang lintian debootstrap monitoring-plugins-standard catch2 sudo
pass "quickstart as root from /root (0700): built, installed, demo message delivered; no test tools installed"

pid=$(cat "$R1/run/nullrelayd.pid")
assert_eq "$(cat "/proc/$pid/comm" 2>/dev/null)" nullrelayd "the process /run/nullrelayd.pid names"
assert_eq "$(readlink "/proc/$pid/root")" "$R1" "the daemon runs in the fresh root"
assert_eq "$(stat -c %u "/proc/$pid")" "$(in_root "$R1" id -u nullrelay)" "the daemon's user"
kill -HUP "$pid"
wait_until 20 grep -q "configuration reloaded" "$R1/var/log/nullrelay.log" ||
    fail "kill -HUP through the pid file did not reload: $(tail -5 "$R1/var/log/nullrelay.log")"
kill -0 "$pid" || fail "the daemon died on SIGHUP"
grep -q "Session terminated" "$R1/var/log/nullrelay.log" && fail "runuser's noise in the log"
smarthost_pid=$(cat "$R1/var/lib/nullrelay-demo/smarthost.pid")
grep -q smarthost.py "/proc/$smarthost_pid/cmdline" || fail "the demo smarthost's pid file"
pass "/run/nullrelayd.pid is the daemon's: kill -HUP reloads it; no runuser noise in the log"

tail -12 "$T/quickstart.log" | tr '\n' ' ' |
    grep -q "Mail for root .* leaves as root@[^ ]*, which reaches nobody: set admin_address" ||
    fail "quickstart does not say that root's mail needs admin_address: $(tail -12 "$T/quickstart.log")"
pass "quickstart tells the admin that root's mail needs admin_address or an alias"
kill_in_root "$R1"
umount -l "$R1/proc"
# Keep what apt downloaded for the second root; drop the first.
mkdir -p "$T/archives"
mv "$R1"/var/cache/apt/archives/*.deb "$T/archives/" 2>/dev/null || true
rm -rf "$R1"

# 2. The package route as a user with sudo, from a 0700 home, in a second fresh root.
R2=$T/root2
s=$SECONDS
fresh_debian_root "$R2"
in_root "$R2" useradd -m -s /bin/bash alice
chmod 0700 "$R2/home/alice"
copy_tree "$R2/home/alice/nullrelay"
in_root "$R2" chown -R alice: /home/alice/nullrelay
took "second fresh root" $s
out=$(as_alice "$R2" ./scripts/quickstart 2>&1) && fail "quickstart as a user without sudo succeeded: $out"
grep -q "run it as root" <<<"$out" || fail "quickstart without sudo: $out"
pass "as a user on a machine without sudo, quickstart says to run it as root"

s=$SECONDS
cp "$T/archives"/*.deb "$R2/var/cache/apt/archives/" 2>/dev/null || true
in_root "$R2" apt-get update -q >"$T/apt.log" 2>&1 || fail "apt-get update: $(tail -5 "$T/apt.log")"
in_root "$R2" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends sudo \
    >>"$T/apt.log" 2>&1 || fail "installing sudo: $(tail -5 "$T/apt.log")"
echo "alice ALL=(ALL:ALL) NOPASSWD: ALL" >"$R2/etc/sudoers.d/alice"
chmod 0440 "$R2/etc/sudoers.d/alice"
not_installed "$R2" build-essential g++
took "sudo" $s
s=$SECONDS
as_alice "$R2" ./scripts/build-deb >"$T/build-deb.log" 2>&1 ||
    fail "build-deb as alice (sudo) failed: $(tail -40 "$T/build-deb.log")"
took "build-deb" $s
s=$SECONDS
as_alice "$R2" 'sudo apt install -y ./build/deb/nullrelay_*_amd64.deb' >"$T/apt-install.log" 2>&1 ||
    fail "sudo apt install ./build/deb/...: $(tail -20 "$T/apt-install.log")"
took "apt install" $s
assert_eq "$(in_root "$R2" dpkg-query -W -f='${Status}' nullrelay)" "install ok installed" "package state"
assert_eq "$(in_root "$R2" readlink -f /usr/sbin/sendmail)" /usr/sbin/nullrelay-sendmail "sendmail link"
in_root "$R2" /usr/sbin/sendmail --version | grep -q '^nullrelay-sendmail (nullrelay) ' ||
    fail "sendmail --version"
printf 'Subject: from the package\n\nhello\n' |
    chroot "$R2" setpriv --reuid=alice --regid=alice --init-groups /usr/sbin/sendmail -i root ||
    fail "the package's sendmail did not take a message"
assert_eq "$(find "$R2/var/spool/nullrelay/maildrop" -type f | wc -l)" 1 "the message in maildrop/"
pass "package route as a user with sudo from a 0700 home: build-deb, sudo apt install, sendmail works"

echo "timing: ${timing[*]}; total $((SECONDS - t0))s"
