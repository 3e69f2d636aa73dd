# OAuth2 client credentials (Microsoft 365's app-only SMTP AUTH): nullrelayd obtains an access
# token from the token endpoint with the client id, secret and scope over verified TLS, logs in
# with XOAUTH2 as auth_user, and keeps the token in memory for the next messages.
# `nullrelay check` obtains one without sending mail, `nullrelay oauth2 status` shows the
# state, and a wrong client secret defers the mail with the provider's reason.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/oauth2.sh"

SECRET=cs-$RANDOM-client-secret
echo "$SECRET" >"$T/client-secret"
chmod 600 "$T/client-secret"
start_oauth2 --client-secret "$SECRET" --scope https://outlook.office365.com/.default
start_oauth2_smarthost
write_oauth2_config client_credentials "oauth2_client_secret_file = $T/client-secret"

# 1. check: a token is obtained, and no mail is sent.
out=$(nullrelay check 2>&1) || fail "check failed: $out"
grep -q "^OAuth2 (client_credentials): an access token was obtained from $OAUTH2_URL/token, valid for 3600 s$" <<<"$out" ||
    fail "check said: $out"
assert_eq "$(token_requests client_credentials)" 1 "one token request for check"
assert_eq "$(delivered_count)" 0 "check sends no mail"
pass "nullrelay check obtains a token"

# 2. Delivery: XOAUTH2 with the provider's token; one token serves every message.
start_daemon
for i in 1 2 3; do printf 'Subject: cc %s\n\nbody\n' $i | sendmail -i root@example.net; done
wait_until 15 has_delivered 3 || fail "not delivered: $(tail -5 "$T/daemon.log")"
for n in 1 2 3; do
    assert_eq "$(json_field $n auth_user)" test "message $n: AUTH as auth_user"
    [[ "$(bearer_of $n)" == at-* ]] || fail "message $n: no bearer from the provider"
done
assert_eq "$(bearer_of 3)" "$(bearer_of 1)" "the token is reused"
assert_eq "$(token_requests client_credentials)" 2 "one token request by the daemon"
grep -Eq '^[0-9]+ C~?: AUTH (PLAIN|LOGIN)' "$SH/transcript.log" && fail "not XOAUTH2"
grep -q "OAuth2: new access token from $OAUTH2_URL/token (client credentials), valid for 3600s" "$T/daemon.log" ||
    fail "no log line for the token: $(cat "$T/daemon.log")"
pass "delivered with XOAUTH2; one token for three messages"

out=$(nullrelay oauth2 status) || fail "status failed: $out"
grep -q "^grant: *client_credentials$" <<<"$out" || fail "status: $out"
grep -q "^access token: *last obtained .*, valid until .* (kept in memory only)$" <<<"$out" || fail "status: $out"
grep -q "^last error: *none$" <<<"$out" || fail "status: $out"
pass "nullrelay oauth2 status"
stop_daemon

# 3. A wrong client secret: check fails with the provider's reason, mail is deferred.
echo wrong-client-secret >"$T/client-secret"
rc=0; out=$(nullrelay check 2>&1) || rc=$?
assert_eq $rc 75 "check: EX_TEMPFAIL"
grep -q "invalid_client (Client authentication failed.); check oauth2_client_id and the client secret" <<<"$out" ||
    fail "check said: $out"
start_daemon
printf 'Subject: wrong\n\nbody\n' | sendmail -i root@example.net
wait_until 10 deferred_in_queue 1 || fail "not deferred"
queued_reason | grep -q "OAuth2: the token endpoint refused the client nullrelay-test: invalid_client" ||
    fail "mailq reason: $(queued_reason)"
assert_eq "$(delivered_count)" 3 "nothing sent without a token"
out=$(nullrelay oauth2 status) && fail "status exits 0 with an error"
grep -q "^last error: .*invalid_client" <<<"$out" || fail "status: $out"
pass "a refused client secret defers, with the reason in mailq and status"

# 4. Its secret file is checked like password_file.
stop_daemon
chmod 644 "$T/client-secret"
rc=0; "$BIN/nullrelayd" -C "$CONF" --once >"$T/refused.log" 2>&1 || rc=$?
assert_eq $rc 78 "a client secret readable by all: EX_CONFIG"
grep -q "oauth2_client_secret_file $T/client-secret is readable by every user" "$T/refused.log" ||
    fail "$(cat "$T/refused.log")"
pass "the client secret file is checked like password_file"

# untrusted_endpoint HINT CA-LINE...: with these CA settings ("oauth2_tls_ca_file = " unsets
# it), the token endpoint, signed by the test CA, is refused: nullrelay check exits
# EX_TEMPFAIL, sends it nothing, and names the CAs it trusted as HINT (a grep pattern).
untrusted_endpoint() {
    local hint=$1 before rc out; shift
    write_oauth2_config client_credentials "oauth2_client_secret_file = $T/client-secret" "$@"
    before=$(grep -c "POST /token" "$OA/requests.log")
    rc=0; out=$(nullrelay check 2>&1) || rc=$?
    assert_eq $rc 75 "untrusted token endpoint: EX_TEMPFAIL"
    grep -q "OAuth2: cannot reach $OAUTH2_URL/token: SSL certificate problem.* (trusted: $hint)" <<<"$out" ||
        fail "check said: $out"
    assert_eq "$(grep -c "POST /token" "$OA/requests.log")" "$before" "no request reached the endpoint"
}

# 5. The token endpoint's certificate is verified as the smarthost's is: signed by another CA,
#    no token and no secret sent.
chmod 600 "$T/client-secret"
echo "$SECRET" >"$T/client-secret"
untrusted_endpoint "the CAs in $T/certs/unknownca.crt" "oauth2_tls_ca_file = $T/certs/unknownca.crt"
pass "the token endpoint's certificate is verified, and the error names the CAs trusted"

# 6. Without oauth2_tls_ca_file or _path it is verified against the system's CAs, which lack the
#    test CA: the error names them, and the keys that take a private CA.
untrusted_endpoint ".*CAs[^;]*; oauth2_tls_ca_file or oauth2_tls_ca_path for a private CA" \
    "oauth2_tls_ca_file = "
grep -q "^oauth2_tls_ca_file" "$CONF" && fail "the configuration still names a CA file"
pass "with the system's CAs, the error says which keys take a private CA"

# 7. oauth2_tls_ca_path: a directory of CAs by hash, as tls_ca_path is for the smarthost.
#    Another CA alone in it: refused, and named; the test CA in it: a token.
for ca in unknownca ca; do
    mkdir "$T/$ca-dir"
    cp "$T/certs/$ca.crt" "$T/$ca-dir/"
    openssl rehash "$T/$ca-dir" || fail "openssl rehash"
done
untrusted_endpoint "the CAs in $T/unknownca-dir (by hash)" \
    "oauth2_tls_ca_file = " "oauth2_tls_ca_path = $T/unknownca-dir"
write_oauth2_config client_credentials "oauth2_client_secret_file = $T/client-secret" \
    "oauth2_tls_ca_file = " "oauth2_tls_ca_path = $T/ca-dir"
before=$(grep -c "POST /token" "$OA/requests.log")
rc=0; out=$(nullrelay check 2>&1) || rc=$?
assert_eq $rc 0 "token endpoint signed by a CA in oauth2_tls_ca_path: $out"
[ "$(grep -c "POST /token" "$OA/requests.log")" -gt "$before" ] || fail "no token was asked for"
pass "oauth2_tls_ca_path: trusted by hash, and named when it does not hold the CA"
