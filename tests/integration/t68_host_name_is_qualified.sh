# A single-label host name is never used silently (man nullrelay.conf, hostname): with no
# hostname configured and no /etc/mailname, on a host called "nrtest" whose resolver knows no
# domain for it,
#   - without sender_domain, `nullrelay check` says which name it would use and warns that it
#     is not qualified (spam filters score an unqualified EHLO or Message-ID);
#   - with sender_domain = example.org the host name is qualified with it: EHLO and the
#     generated Message-ID say nrtest.example.org, check does not warn, and mail for
#     root@nrtest is still local (it leaves as root@example.org);
#   - a hostname configured without a dot gets the same warning, from check and the daemon.
# The scenario runs in its own UTS and network namespaces: the host name is set there, and
# the resolver cannot ask DNS (no network but the namespace's own loopback).
if [ -z "${NULLRELAY_T65_IN_NS:-}" ]; then
    if ! why=$(unshare --uts --net -- true 2>&1); then
        echo "skip: no UTS and network namespaces here (${why:-unshare failed})"
        exit 77
    fi
    NULLRELAY_T65_IN_NS=1 exec unshare --uts --net -- bash "$0" "$@"
fi
if grep -q '\.' /etc/mailname 2>/dev/null; then
    echo "skip: /etc/mailname names this host ($(cat /etc/mailname)), and comes first"
    exit 77
fi
/usr/bin/python3 - <<'PY'
import fcntl, socket, struct
socket.sethostname("nrtest")
# The namespace's loopback starts down: SIOCSIFFLAGS lo IFF_UP|IFF_LOOPBACK.
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
fcntl.ioctl(s, 0x8914, struct.pack("16sH22x", b"lo", 0x1 | 0x8))
PY
source "$(dirname "$0")/lib.sh"
assert_eq "$(uname -n)" nrtest "the namespace's host name"

config_without() {  # the test configuration less the keys named
    write_config
    local key
    for key in "$@"; do sed -i "/^$key = /d" "$CONF"; done
}

# 1. Nothing qualifies the name: check names it, and warns.
config_without hostname sender_domain
nullrelay check >"$T/out" 2>"$T/err" || fail "check failed: $(cat "$T/out" "$T/err")"
grep -qx "host name (EHLO, Message-ID): nrtest (the host name)" "$T/out" ||
    fail "check does not name the host name: $(cat "$T/out")"
grep -q "warning: the host name 'nrtest' is not qualified" "$T/err" ||
    fail "check did not warn about an unqualified host name: $(cat "$T/out" "$T/err")"
pass "unqualified, no sender_domain: check names nrtest and warns"

# 2. sender_domain qualifies it: EHLO, Message-ID; root@nrtest is still local.
config_without hostname
nullrelay check >"$T/out" 2>"$T/err" || fail "check failed: $(cat "$T/out" "$T/err")"
grep -qx "host name (EHLO, Message-ID): nrtest.example.org (the host name qualified with sender_domain)" \
    "$T/out" || fail "check: $(cat "$T/out")"
[ ! -s "$T/err" ] || fail "check warned about a qualified name: $(cat "$T/err")"
start_smarthost
printf 'Subject: from nrtest\n\nhello\n' | sendmail -i root@nrtest
"$BIN/nullrelayd" -C "$CONF" --once >>"$T/daemon.log" 2>&1 || fail "nullrelayd --once failed"
assert_eq "$(delivered_count)" 1 "delivered"
grep -Eq '^[0-9]+ C: EHLO nrtest\.example\.org$' "$SH/transcript.log" ||
    fail "EHLO is not the qualified name: $(grep -i ehlo "$SH/transcript.log")"
grep -Eq '^Message-ID: <[^>]+@nrtest\.example\.org>' "$(eml 1)" ||
    fail "Message-ID: $(grep -i '^Message-ID' "$(eml 1)")"
assert_eq "$(json_field 1 rcpt_tos)" '["root@example.org"]' "root@nrtest is local: qualified"
grep -q "not qualified" "$T/daemon.log" && fail "the daemon warned about a qualified name"
pass "with sender_domain: EHLO and Message-ID say nrtest.example.org; root@nrtest stays local"

# 3. A configured single-label hostname: check and the daemon warn.
config_without hostname
echo "hostname = vm" >>"$CONF"
nullrelay check >"$T/out" 2>"$T/err" || fail "check failed: $(cat "$T/out" "$T/err")"
grep -q "warning: the host name 'vm' is not qualified" "$T/err" ||
    fail "check did not warn about hostname = vm: $(cat "$T/err")"
: >"$T/daemon.log"
"$BIN/nullrelayd" -C "$CONF" --once >>"$T/daemon.log" 2>&1 || fail "nullrelayd --once failed"
grep -q "the host name 'vm' is not qualified" "$T/daemon.log" ||
    fail "the daemon did not warn: $(cat "$T/daemon.log")"
pass "hostname = vm: check and the daemon warn"
