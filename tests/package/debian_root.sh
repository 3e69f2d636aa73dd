# Fresh Debian 12 roots for the package tests, sourced after tests/integration/lib.sh:
# debootstrap --variant=minbase (no compiler, no build-essential, no sudo), kept as a tarball
# so that the next test or run extracts it (seconds) instead of debootstrapping again
# (1.5-2 minutes from the mirror).
#   NULLRELAY_DEB_CACHE  where the tarball is kept (default SRC/build/cache)
#   DEBIAN_MIRROR        default: the first deb.debian.org-style URI apt uses here
# The root holds the package's run-time dependencies (--include below): delete the tarball
# when they change. Its /etc/apt/sources.list names the mirror, so apt-get works inside.

DEB_CACHE=${NULLRELAY_DEB_CACHE:-$SRC/build/cache}

debian_mirror() {
    local mirror
    mirror=${DEBIAN_MIRROR:-$( (cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null || true) |
        grep -oE '^(URIs:|deb) *https?://[^ ]*/debian/?( |$)' | grep -oE 'https?://[^ ]*' | head -1 || true)}
    echo "${mirror:-http://deb.debian.org/debian}"
}

# fresh_debian_root DIR: a fresh bookworm minbase root in DIR with /proc mounted (unmounted
# on exit), the host's resolv.conf (for apt), and processes running in it killed on exit.
fresh_debian_root() {
    local root=$1 tarball=$DEB_CACHE/bookworm-minbase.tar.gz mirror
    mkdir -p "$DEB_CACHE" "$root"
    (
        flock 9  # one debootstrap at a time; the others wait and extract its tarball
        if [ ! -s "$tarball" ]; then
            mirror=$(debian_mirror)
            debootstrap --variant=minbase \
                --include=adduser,libcurl4,libfmt9,libpcre2-8-0,libssl3,ca-certificates \
                bookworm "$root" "$mirror" >"$T/debootstrap.log" 2>&1 ||
                fail "debootstrap from $mirror failed: $(tail -5 "$T/debootstrap.log")"
            rm -rf "$root"/var/cache/apt/archives/*.deb
            tar -C "$root" -czf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
        else
            tar -C "$root" -xzf "$tarball"
        fi
    ) 9>"$DEB_CACHE/.lock" || exit 1
    cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    mount -t proc proc "$root/proc"
    # First the processes started in the root (daemons left running), then /proc.
    CLEANUP_HOOKS+=("kill_in_root '$root'" "umount -l '$root/proc'")
}

# kill_in_root DIR: SIGKILL every process whose root directory is DIR (ours: started there).
kill_in_root() {
    local dir pid
    for dir in /proc/[0-9]*; do
        pid=${dir#/proc/}
        [ "$(readlink "$dir/root" 2>/dev/null)" == "$1" ] && kill -9 "$pid" 2>/dev/null
    done
    return 0
}
