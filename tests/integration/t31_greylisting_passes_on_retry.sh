# Greylisting: a 450 now and a 250 on the retry (retry_min = 1s here), whether the smarthost
# says it to RCPT, to DATA or after the data. Each message is deferred once, then delivered
# exactly once; the other recipient of the same message is not sent twice.
source "$(dirname "$0")/lib.sh"
start_smarthost
start_daemon

greylist() {  # greylist STAGE MATCH REPLY
    printf '{"rules": [{"stage": "%s", "match": "%s", "reply": "%s", "times": 1}]}\n' "$1" "$2" "$3" \
        >"$SH/faults.json.tmp"
    mv "$SH/faults.json.tmp" "$SH/faults.json"
}

# 1. RCPT: one of two recipients is greylisted; the other goes through at once.
greylist rcpt grey1 "450 4.2.0 <grey1@example.net>: Recipient address rejected: Greylisted"
printf 'Subject: grey rcpt\n\nx\n' | sendmail -i grey1@example.net plain1@example.net
wait_until 10 has_delivered 2 || fail "rcpt greylisting: not delivered on retry"
wait_until 5 queue_empty || fail "rcpt greylisting: still queued"
assert_eq "$(json_field 1 rcpt_tos)" '["plain1@example.net"]' "first try: the other recipient"
assert_eq "$(json_field 2 rcpt_tos)" '["grey1@example.net"]' "retry: the greylisted recipient only"
grep -q "to=<grey1@example.net>.*tries=1, dsn=4.2.0, status=deferred (450 4.2.0" "$T/daemon.log" || fail "deferral log"
grep -q "to=<grey1@example.net>.*tries=2, dsn=2.0.0, status=sent" "$T/daemon.log" || fail "retry log"
pass "RCPT 450 then 250: delivered on retry, the other recipient once"

# 2. DATA command and 3. after the data: the whole message waits, then goes once.
n=2
for stage in data eom; do
    greylist $stage "" "451 4.7.1 Greylisted, please try again later"
    printf 'Subject: grey %s\n\nx\n' $stage | sendmail -i "grey-$stage@example.net"
    n=$((n + 1))
    wait_until 10 has_delivered $n || fail "$stage greylisting: not delivered on retry"
    wait_until 5 queue_empty || fail "$stage greylisting: still queued"
    grep -q "to=<grey-$stage@example.net>.*tries=1, dsn=4.7.1, status=deferred (451 4.7.1" "$T/daemon.log" ||
        fail "$stage: deferral log"
    grep -q "to=<grey-$stage@example.net>.*tries=2, dsn=2.0.0, status=sent" "$T/daemon.log" ||
        fail "$stage: retry log"
    pass "$stage 451 then 250: delivered on retry"
done
sleep 1
assert_eq "$(delivered_count)" 4 "each recipient delivered exactly once"
