# Access tokens run out while mail keeps coming: nullrelayd replaces a token before it expires
# (after three quarters of its life), and once more at once when the smarthost refuses one it
# still thought valid (a 535). The provider rotates the refresh token at every use and the old
# one dies: the daemon saves each new one atomically (mode 0600), so a restarted daemon goes on
# with the last one.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/oauth2.sh"

start_oauth2 --lifetime 3 --rotate
start_oauth2_smarthost
write_oauth2_config refresh_token "oauth2_device_url = $OAUTH2_URL/devicecode"
device_login
FIRST_RT=$(cat "$STATE/oauth2-refresh-token")

# 1. Expiry mid-queue: a token of 3 s is used for the first message and replaced for a later one.
start_daemon
printf 'Subject: one\n\nbody\n' | sendmail -i root@example.net
wait_until 10 has_delivered 1 || fail "first message not delivered: $(tail -5 "$T/daemon.log")"
first=$(bearer_of 1)
sleep 3  # the first token's lifetime: the provider (and the smarthost) no longer accept it
printf 'Subject: two\n\nbody\n' | sendmail -i root@example.net
wait_until 10 has_delivered 2 || fail "second message not delivered: $(tail -5 "$T/daemon.log")"
[ "$(bearer_of 2)" != "$first" ] || fail "the expired token was used again"
grep -q "refused the OAuth2 access token" "$T/daemon.log" && fail "the token was not replaced before it expired"
assert_eq "$(token_requests refresh_token)" 2 "two refreshes"
pass "a token is replaced before it expires, between two messages"

# 2. Rotation: every refresh brought a new refresh token; the file holds the last one.
ROTATED=$(cat "$STATE/oauth2-refresh-token")
[ "$ROTATED" != "$FIRST_RT" ] || fail "the rotated refresh token was not saved"
assert_eq "$(stat -c %a "$STATE/oauth2-refresh-token")" 600 "mode after rotation"
[ -e "$STATE/.oauth2-refresh-token.tmp" ] && fail "a temporary file was left"
grep -q "the provider rotated the refresh token, the new one is saved" "$T/daemon.log" ||
    fail "rotation not logged"
# The first refresh token is spent: whoever kept only that one could not go on.
oauth2_reply=$(curl -sS --cacert "$T/certs/ca.crt" -d grant_type=refresh_token \
    --data-urlencode "refresh_token=$FIRST_RT" -d client_id=nullrelay-test "$OAUTH2_URL/token")
grep -q '"invalid_grant"' <<<"$oauth2_reply" || fail "the old refresh token still works: $oauth2_reply"
pass "rotated refresh tokens are saved atomically, mode 0600"

# 3. ... and survive a restart.
stop_daemon
start_daemon
printf 'Subject: three\n\nbody\n' | sendmail -i root@example.net
wait_until 10 has_delivered 3 || fail "not delivered after the restart: $(tail -5 "$T/daemon.log")"
pass "after a restart the daemon goes on with the last refresh token"
stop_daemon

# 4. A token the daemon still thinks valid is refused (the provider expired it early): one
#    new token at once, and the message goes.
stop_oauth2
start_oauth2 --lifetime 600 --rotate
start_daemon
printf 'Subject: four\n\nbody\n' | sendmail -i root@example.net
wait_until 10 has_delivered 4 || fail "fourth message not delivered"
oauth2_control expire
printf 'Subject: five\n\nbody\n' | sendmail -i root@example.net
wait_until 10 has_delivered 5 || fail "not delivered after the refusal: $(tail -5 "$T/daemon.log")"
grep -q "the smarthost refused the OAuth2 access token (535 5.7.3 Authentication unsuccessful); trying once more with a new one" "$T/daemon.log" ||
    fail "no refusal and retry: $(tail -5 "$T/daemon.log")"
[ "$(bearer_of 5)" != "$(bearer_of 4)" ] || fail "the refused token was used again"
grep -q "status=deferred" "$T/daemon.log" && fail "deferred although a new token worked"
assert_eq "$(queue_id_count)" 0 "nothing left queued"
pass "a refused token is replaced once and the message delivered in the same attempt"
