# Issue 16, item 1: one local user's message cannot stall the daemon for everyone. Pickup runs
# off the event loop, so mailq answers while a costly message is picked up; rewriting one
# message has a CPU budget (5 s), after which it is refused with a notice; an address header
# over 100 KB goes out unrewritten instead of costing a lookup per name.
source "$(dirname "$0")/lib.sh"

# 1. A careless rule of the man page's own kind, and 10,000 names it backtracks on: each
# lookup runs to PCRE2's match limit (about 20 s in all without the budget).
cat >"$T/aliases" <<'MAP'
/^(a+)+$/ lots@example.net
MAP
write_config "alias_map = $T/aliases"
start_smarthost
start_daemon
mapfile -t names < <(seq -f 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab%g' 1 10000)
printf 'Subject: costly\n\nx\n' | sendmail -i "${names[@]}" || fail "sendmail refused it"
sleep 0.5  # pickup has started on it
listing=$(timeout 10 "$BIN/nullrelay" -C "$CONF" queue) || fail "mailq did not answer during pickup"
grep -q "took more than" "$T/daemon.log" && fail "the costly message was done before mailq asked"
printf 'Subject: meanwhile\n\nx\n' | sendmail -i someone@example.net
wait_until 60 grep -q "rewriting its addresses took more than 5 s of CPU" "$T/daemon.log" ||
    fail "the rewriting budget did not stop it: $(tail -3 "$T/daemon.log")"
wait_until 30 has_delivered 2 || fail "the other message and the notice were not delivered"
grep -l "refused before it was queued" "$SH"/messages/*.eml >/dev/null || fail "no notice"
message_to() {  # the .json of the message stored for exactly this one recipient
    local f
    for f in "$SH"/messages/*.json; do
        $PY -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["rcpt_tos"] != [sys.argv[2]])' \
            "$f" "$1" && { echo "$f"; return; }
    done
}
[ -n "$(message_to someone@example.net)" ] || fail "the other message was lost"
grep -q 'lots@example.net' "$SH"/messages/*.json && fail "something went to the rule's result"
pass "a message that makes the maps backtrack: mailq answers, the budget refuses it, others flow"

# 2. A 900 KB To: of local names (under the 1 MiB header limit): left as it is, and cheap.
$PY - "$T/wide" <<'PY'
import sys
names = ", ".join(f"u{i}" for i in range(100000))
open(sys.argv[1], "w").write(f"To: {names}\nCc: root\nSubject: wide\n\nbody\n")
PY
sendmail -i wide@example.net <"$T/wide" || fail "sendmail refused the wide header"
listing=$(timeout 10 "$BIN/nullrelay" -C "$CONF" queue) || fail "mailq did not answer"
wait_until 60 has_delivered 3 || fail "the wide message was not delivered"
wide=$(message_to wide@example.net)
grep -q $'^To: u0, u1, u2' "${wide%.json}.eml" || fail "the 900 KB To: was changed"
grep -q $'^Cc: root@example.org\r$' "${wide%.json}.eml" || fail "the small Cc: was not rewritten"
pass "a 900 KB To: goes out unrewritten, a small Cc: is rewritten"
