# A submission's submitter is listed (mailq, nullrelay queue) by the name pickup will record
# in its envelope: a login name from the password database only when it is plain, otherwise
# uid<N>. A name with a space or a terminal escape (possible from LDAP or a hand-edited
# /etc/passwd) is never printed raw, before pickup or after.
# The scenario runs in its own mount namespace, where a copy of /etc/passwd with such a user
# is mounted over the host's; the host's is never touched.
if [ -z "${NULLRELAY_T45_IN_NS:-}" ]; then
    if ! why=$(unshare --mount -- true 2>&1); then
        echo "skip: no mount namespace here (${why:-unshare failed})"
        exit 77
    fi
    NULLRELAY_T45_IN_NS=1 exec unshare --mount --propagation private -- bash "$0" "$@"
fi
source "$(dirname "$0")/lib.sh"

odd=$'odd \e[31mname'
cp /etc/passwd "$T/passwd"
printf '%s:x:4242:4242::/nonexistent:/usr/sbin/nologin\n' "$odd" >>"$T/passwd"
mount --bind "$T/passwd" /etc/passwd || fail "cannot mount over /etc/passwd"
[ "$(getent passwd 4242 | cut -d: -f1)" = "$odd" ] || fail "the odd user is not in the password database"

write_config "retry_min = 1h" "retry_max = 1h"
printf 'Subject: from the odd user\n\nhello\n' | sendmail -i friend@example.net
id=$(ls "$SPOOL/maildrop")
chown 4242 "$SPOOL/maildrop/$id"  # as setgid sendmail leaves a user's file

listed() {  # listed WHEN: both listings name the submitter uid4242, never the raw name
    local json listing
    json=$(nullrelay queue --json) || fail "$1: queue --json exit $?"
    echo "$json" | grep -q '"submitter": {"uid": 4242, "name": "uid4242"}' ||
        fail "$1: submitter not listed as uid4242: $json"
    listing=$(nullrelay queue) || fail "$1: queue exit $?"
    echo "$listing" | grep -q "uid4242" || fail "$1: listing lacks uid4242: $listing"
    echo "$listing$json" | grep -q $'\e' && fail "$1: a terminal escape reached the listing"
    return 0
}
listed "waiting in maildrop/"
pass "a submission not yet picked up is listed by the name pickup will record"

start_daemon
wait_until 10 deferred_in_queue 1 || fail "not deferred: $(nullrelay queue)"
grep -q "^submitter 4242 uid4242$" "$SPOOL/queue/$id" || fail "envelope: $(cat "$SPOOL/queue/$id")"
listed "queued"
pass "after pickup the envelope and the listing give the same name"
