# What the smarthost offers in EHLO (SIZE, 8BITMIME, SMTPUTF8) is recorded per connection:
# `nullrelay check --connect` logs in as for mail (TLS, AUTH), sends no mail and shows it;
# `nullrelayd -v` logs it for each new connection. A refused login is reported with the
# smarthost's reply and a failing exit status; the password never appears.
source "$(dirname "$0")/lib.sh"
start_smarthost --no-8bitmime --smtputf8 --max-size 1048576

nullrelay check --connect >"$T/out" 2>&1 || fail "check --connect exit $?: $(cat "$T/out")"
grep -q "configuration is valid" "$T/out" || fail "no config check first: $(cat "$T/out")"
grep -q "smarthost localhost:$SMARTHOST_PORT: logged in at localhost\[127.0.0.1\]:$SMARTHOST_PORT (TLS, authenticated as test); no mail sent" "$T/out" ||
    fail "no login line: $(cat "$T/out")"
grep -q "offers SIZE 1048576, 8BITMIME no, SMTPUTF8 yes (EHLO: SIZE 1048576, SMTPUTF8, AUTH PLAIN LOGIN)" "$T/out" ||
    fail "capabilities not shown: $(cat "$T/out")"
grep -qE ' C~?: (MAIL|RCPT|DATA)' "$SH/transcript.log" && fail "check --connect sent mail"
grep -q ' C~: AUTH PLAIN' "$SH/transcript.log" || fail "no AUTH inside TLS"
grep -q ' C~: NOOP' "$SH/transcript.log" || fail "no NOOP"
pass "check --connect logs in without mail and shows SIZE, 8BITMIME, SMTPUTF8"

nullrelay check --connect -v >"$T/out" 2>&1 || fail "check --connect -v exit $?"
grep -q '> AUTH PLAIN <redacted>' "$T/out" || fail "-v shows no redacted dialogue: $(cat "$T/out")"
grep -q secret "$T/out" && fail "the password was printed"
pass "check --connect -v shows the dialogue, credentials redacted"

echo wrong >"$T/password"
set +e
nullrelay check --connect >"$T/out" 2>&1; rc=$?
set -e
assert_eq "$rc" 69 "a refused login fails check --connect (EX_UNAVAILABLE)"
grep -q "cannot log in: .*535 5.7.8" "$T/out" || fail "refusal not shown: $(cat "$T/out")"
grep -q wrong "$T/out" && fail "the password was printed"
echo secret >"$T/password"
pass "a refused login is reported with the smarthost's reply"

stop_smarthost
start_smarthost  # 8BITMIME offered this time
start_daemon -v
printf 'Subject: caps\n\nhello\n' | sendmail -i admin@example.net
wait_until 10 has_delivered 1 || fail "not delivered"
grep -qE "^[0-9A-F]{16}: localhost\[127.0.0.1\]:$SMARTHOST_PORT: smarthost offers SIZE 67108864, 8BITMIME yes, SMTPUTF8 no \(EHLO: SIZE 67108864, 8BITMIME, AUTH PLAIN LOGIN\)$" "$T/daemon.log" ||
    fail "nullrelayd -v does not log the capabilities: $(grep offers "$T/daemon.log")"
pass "nullrelayd -v logs what the smarthost offers on a new connection"
