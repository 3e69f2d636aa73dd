# The transport policy: no STARTTLS offered, a certificate for another host, an unknown CA,
# or no AUTH while credentials are configured each keep the message queued, and nothing
# (no AUTH, no MAIL, no data) goes to the server outside TLS or unauthenticated. A certificate
# that no trusted CA signed is logged with the CAs trusted.
source "$(dirname "$0")/lib.sh"

# Mail never starts, and AUTH never travels outside TLS (inside TLS it may: wrong password).
attempt() {  # attempt LABEL REASON-PATTERN -- smarthost options...
    local label=$1 pattern=$2; shift 3
    refused_by_smarthost "$label" "$pattern" '^[0-9]+ C~?: (MAIL|RCPT|DATA)|^[0-9]+ C: AUTH' -- "$@"
    pass "$label: kept queued, nothing sent"
}

attempt "no STARTTLS" "STARTTLS not supported" -- --no-starttls
attempt "wrong host" "no alternative certificate subject name matches" -- \
    --cert "$T/certs/wronghost.crt" --key "$T/certs/wronghost.key"
attempt "unknown CA" "certificate problem.*\\(trusted: the CAs in $T/certs/ca.crt\\)" -- --cert "$T/certs/unknownca.crt" --key "$T/certs/unknownca.key"
attempt "no AUTH offered" "did not authenticate us" -- --no-auth
attempt "wrong password" "Login denied" -- --password other

# Implicit TLS (smtps) works end to end.
write_config "tls = implicit"
start_smarthost --tls implicit
printf 'Subject: smtps\n\nx\n' | sendmail -i root@example.net
"$BIN/nullrelayd" -C "$CONF" --once >>"$T/daemon.log" 2>&1
assert_eq "$(delivered_count)" 1 "delivered over implicit TLS"
assert_eq "$(json_field 1 auth_user)" "test" "authenticated over implicit TLS"
pass "implicit TLS delivers"
