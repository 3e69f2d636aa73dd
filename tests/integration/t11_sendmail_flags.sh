# One check per row of the flag table in man/nullrelay-sendmail.8 (the rows that need the
# alias map or the queue tools are in their own scenarios).
source "$(dirname "$0")/lib.sh"
write_config "retry_min = 1h" "retry_max = 1h"  # -odq waits for the first retry: keep it far
start_smarthost
start_daemon
n=0
queued_is() { [ "$(queue_id_count)" -eq "$1" ]; }
deliver() {  # deliver LABEL -- sendmail args (message on stdin); waits for message n+1
    local label=$1; shift 2
    n=$((n + 1))
    sendmail "$@" || fail "$label: exit $?"
    wait_until 10 has_delivered $n || fail "$label: not delivered"
}
msg() { printf 'Subject: %s\n\nbody\n' "$1"; }

deliver "-t adds argv recipients" -- -t -i b@example.net < <(printf 'To: a@example.net\n'; msg t-plus-argv)
assert_eq "$(json_field $n rcpt_tos)" '["b@example.net", "a@example.net"]' "-t with argv recipients (Postfix adds them)"
deliver "-t with Resent-" -- -t -i \
    < <(printf 'To: old@example.net\nResent-To: new@example.net\nResent-Cc: also@example.net\nSubject: r\n\nbody\n')
assert_eq "$(json_field $n rcpt_tos)" '["new@example.net", "also@example.net"]' "-t reads only Resent- when present"
grep -q '^Resent-Date: ' "$(eml $n)" || fail "Resent-Date added for a resent message"
grep -q '^Resent-Message-ID: ' "$(eml $n)" || fail "Resent-Message-ID added"
pass "-t, argv recipients and Resent-"

deliver "-fJoe" -- -i -fjoe@example.org x@example.net < <(msg f-attached)
assert_eq "$(json_field $n mail_from)" "joe@example.org" "-f attached"
deliver "-r" -- -i -r robot x@example.net < <(msg r-flag)
assert_eq "$(json_field $n mail_from)" "robot@example.org" "-r, qualified"
deliver "-f <>" -- -i -f '<>' x@example.net < <(msg null)
assert_eq "$(json_field $n mail_from)" "" "null sender"
deliver "-F" -- -i -F "Joe Q. Public" -f joe x@example.net < <(msg full-name)
grep -q $'^From: "Joe Q. Public" <joe@example.org>\r$' "$(eml $n)" || fail "-F gives the From: name: $(grep ^From: "$(eml $n)")"
pass "-f, -fJoe, -r, -f '<>', -F"

deliver "-bm" -- -bm -i x@example.net < <(msg explicit-bm)
deliver "ignored flags" -- -i -L tag -h 5 -G -U -Am -Ac -X /tmp/x -O DeliveryMode=b -oX -ox -odb x@example.net < <(msg ignored-flags)
deliver "-oe*" -- -oem -oep -oeq -oew -oee -i x@example.net < <(msg oe-modes)
deliver "-- -dash" -- -i -- -dash@example.net < <(msg dash-rcpt)
assert_eq "$(json_field $n rcpt_tos)" '["-dash@example.net"]' "recipient after --"
out=$(msg verbose | sendmail -v -i x@example.net 2>&1) || fail "-v exit"
n=$((n + 1)); wait_until 10 has_delivered $n || fail "-v not delivered"
echo "$out" | grep -Eq '^sendmail: queued as [0-9A-F]{16}$' || fail "-v output: $out"
pass "-bm, -v, -oe*, -- and the accepted-and-ignored flags"

# -N -R -V -B are recorded in the envelope (libcurl cannot send them); -odq keeps the message
# from being attempted until a flush.
msg dsn | sendmail -odq -i -N success,delay -R hdrs -V env-42 -B 8BITMIME x@example.net || fail "-odq exit"
wait_until 10 dir_has_files "$SPOOL/queue" || fail "-odq: not queued"
q=$SPOOL/queue/$(ls "$SPOOL/queue")
for rec in "notify success,delay" "ret hdrs" "envid env-42" "body 8BITMIME" "attempts 0"; do
    grep -qx "$rec" "$q" || fail "envelope lacks '$rec': $(cat "$q")"
done
sleep 1
assert_eq "$(delivered_count)" $n "-odq: no attempt before a flush"
sendmail -q || fail "-q exit $?"
n=$((n + 1)); wait_until 10 has_delivered $n || fail "-q did not deliver the -odq message"
pass "-N -R -V -B recorded, -odq waits, -q flushes"

msg odq-2 | sendmail -odq -i x@example.net
wait_until 10 dir_has_files "$SPOOL/queue" || fail "second -odq not queued"
sendmail -q30m || fail "-q30m exit $?"
n=$((n + 1)); wait_until 10 has_delivered $n || fail "-q30m did not flush"
msg odq-3 | sendmail -odq -i x@example.net
wait_until 10 dir_has_files "$SPOOL/queue" || fail "third -odq not queued"
sendmail "-qI$(ls "$SPOOL/queue")" || fail "-qI exit $?"
n=$((n + 1)); wait_until 10 has_delivered $n || fail "-qI did not flush"
msg odq-4 | sendmail -odq -i -f other@example.org picked@example.net
msg odq-5 | sendmail -odq -i left@example.net
wait_until 10 queued_is 2 || fail "two -odq messages not queued"
sendmail -qRpicked || fail "-qR exit $?"
n=$((n + 1)); wait_until 10 has_delivered $n || fail "-qR did not flush its match"
sleep 0.5
assert_eq "$(delivered_count)" $n "-qR flushed only the matching message"
sendmail -qSexample.org || fail "-qS exit $?"  # the other one's sender is root@example.org
n=$((n + 1)); wait_until 10 has_delivered $n || fail "-qS did not flush"
pass "-q30m, -qI<id>, -qR<recipient>, -qS<sender>"

sendmail -bp | grep -q "Mail queue is empty" || fail "-bp"
sendmail -bv root www-data@localhost | grep -qx "www-data@localhost => www-data@example.org" || fail "-bv"
assert_eq "$(delivered_count)" "$n" "-bv sends nothing"
sendmail -bi | grep -q "configuration is valid" || fail "-bi"
set +e
sendmail -bd 2>"$T/err"; rc=$?
set -e
assert_eq "$rc" 64 "-bd"
grep -q "not supported" "$T/err" || fail "-bd message: $(cat "$T/err")"
set +e
msg bad | sendmail -i -N sometimes x@example.net 2>"$T/err"; rc=$?
set -e
assert_eq "$rc" 64 "bad -N value"
grep -q "expected 'never' or a list" "$T/err" || fail "-N message"
pass "-bp, -bv, -bi, -bd refused, bad -N refused"
