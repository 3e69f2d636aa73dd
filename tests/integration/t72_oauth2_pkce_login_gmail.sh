# OAuth2 refresh token by the authorization code grant with PKCE (RFC 7636; Google offers no
# device flow for Gmail): `nullrelay oauth2 login` prints the address to open, the person signs
# in anywhere, the browser is sent to the redirect URI, and the person pastes that address back.
# A confidential client (client secret from a systemd credential). Gmail refuses a bad token
# with a 334 JSON challenge rather than a 535: the reason in mailq is the decoded challenge.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/oauth2.sh"

SECRET=gmail-client-secret-$RANDOM
mkdir -m 700 "$T/creds"
echo "$SECRET" >"$T/creds/oauth2-client-secret"
chmod 400 "$T/creds/oauth2-client-secret"
export CREDENTIALS_DIRECTORY=$T/creds
start_oauth2 --client-secret "$SECRET"
start_oauth2_smarthost --xoauth2-challenge
write_oauth2_config refresh_token "oauth2_authorize_url = $OAUTH2_URL/authorize" \
    "oauth2_scope = https://mail.google.com/" "oauth2_redirect_uri = http://127.0.0.1:1/"

# 1. A pasted address from another login is refused.
echo "http://127.0.0.1:1/?state=elsewhere&code=abc" | nullrelay oauth2 login >"$T/stale.out" 2>&1 &&
    fail "a foreign answer was accepted"
grep -q "not from this login" "$T/stale.out" || fail "$(cat "$T/stale.out")"

# 2. The login: the address printed, opened "in a browser", the redirect pasted back.
mkfifo "$T/tty"
nullrelay oauth2 login <"$T/tty" >"$T/login.out" 2>&1 &
pid=$!
exec 3>"$T/tty"
wait_until 10 grep -q "paste it here" "$T/login.out" || fail "no address shown: $(cat "$T/login.out")"
url=$(grep -o "$OAUTH2_URL/authorize?[^ ]*" "$T/login.out")
grep -q "code_challenge_method=S256" <<<"$url" || fail "no PKCE in $url"
grep -q "redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2F" <<<"$url" || fail "redirect_uri not in $url"
redirect=$(curl -sS --cacert "$T/certs/ca.crt" -o /dev/null -w '%{redirect_url}' "$url")
[[ "$redirect" == http://127.0.0.1:1/\?state=*\&code=* ]] || fail "the provider sent the browser to '$redirect'"
echo "$redirect" >&3
exec 3>&-
wait $pid || fail "login failed: $(cat "$T/login.out")"
grep -q "^Signed in." "$T/login.out" || fail "$(cat "$T/login.out")"
assert_eq "$(token_requests authorization_code)" 1 "the code was traded once (PKCE checked)"
assert_eq "$(stat -c '%a' "$STATE/oauth2-refresh-token")" 600 "mode"
pass "authorization code with PKCE: address printed, redirect pasted back, token saved"

# 3. Delivery with the refresh token and the client secret from the systemd credential.
start_daemon
printf 'Subject: gmail\n\nbody\n' | sendmail -i root@example.net
wait_until 15 has_delivered 1 || fail "not delivered: $(tail -5 "$T/daemon.log")"
pass "delivered with the token from the refresh token"

# 4. A token the smarthost refuses Gmail's way (334 + JSON): one new token, then deferral
#    with the smarthost's words.
oauth2_control revoke  # the provider revokes everything: the refresh fails too
printf 'Subject: refused\n\nbody\n' | sendmail -i root@example.net
wait_until 10 deferred_in_queue 1 || fail "not deferred"
grep -q "the smarthost refused the OAuth2 access token (334 {\"status\": \"401\", \"schemes\": \"bearer\", \"scope\": \"https://mail.google.com/\"}); trying once more with a new one" "$T/daemon.log" ||
    fail "the 334 challenge was not recognised: $(tail -5 "$T/daemon.log")"
queued_reason | grep -q "refused the refresh token in $STATE/oauth2-refresh-token: invalid_grant" ||
    fail "mailq reason: $(queued_reason)"
pass "a 334 challenge counts as a refusal; the revoked refresh token is the reason"
