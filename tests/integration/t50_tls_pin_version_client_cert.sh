# The TLS faults t05 lacks: a public key pin that does not match (and one that does), a server
# that speaks only TLS 1.0/1.1 or only below tls_min_version = 1.3, and a server that requires
# a client certificate (refused without one, delivered with tls_client_cert/tls_client_key).
# (With TLS 1.3 the client finishes its handshake first and learns of the refusal on reading.)
# Each refusal keeps the message queued, with no AUTH and no data sent.
source "$(dirname "$0")/lib.sh"

pin_of() {  # the base64 SHA-256 of a certificate's public key (curl's sha256// form)
    openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform der |
        openssl dgst -sha256 -binary | base64
}
SERVER_PIN=$(pin_of "$T/certs/server.crt")
OTHER_PIN=$(pin_of "$T/certs/wronghost.crt")

refused() {  # refused LABEL LOG-PATTERN -- smarthost options...: not even AUTH is sent
    local label=$1 pattern=$2; shift 3
    refused_by_smarthost "$label" "$pattern" '^[0-9]+ C~?: (AUTH|MAIL|RCPT|DATA)' -- "$@"
    pass "$label: kept queued, no AUTH, nothing sent"
}

# Public key pins: checked on top of the CA and the host name.
write_config "tls_pin_sha256 = $OTHER_PIN"
refused "pin mismatch" "pinned|public key" --
write_config "tls_pin_sha256 = $OTHER_PIN, $SERVER_PIN"
delivered_by_smarthost "matching pin (second of two)" --

# Old protocol versions. Debian's OpenSSL refuses TLS below 1.2 at its default security level
# on both ends; either way nothing may go out in clear.
write_config
refused "TLS 1.1-only server" "SSL|TLS|protocol|version" -- --tls-min 1.0 --tls-max 1.1
write_config "tls_min_version = 1.3"
refused "TLS 1.2-only server, tls_min_version 1.3" "SSL|TLS|protocol|version" -- --tls-max 1.2
delivered_by_smarthost "tls_min_version 1.3 against a 1.3 server" --
grep -q "TLS established: TLSv1.3" "$SH/transcript.log" || fail "not TLS 1.3"

# Client certificates.
# (With TLS 1.3 the server refuses a missing client certificate after the handshake: the
# client may see a TLS alert or just a reset, depending on timing.)
write_config
refused "client certificate required, none configured" "SSL|TLS|certificate|alert|response reading failed|Connection reset" -- \
    --client-ca "$T/certs/ca.crt"
write_config "tls_client_cert = $T/certs/client.crt" "tls_client_key = $T/certs/client.key"
delivered_by_smarthost "client certificate presented" -- --client-ca "$T/certs/ca.crt"
grep -q "client certificate CN=" "$SH/transcript.log" || fail "the server saw no client certificate"
pass "the server verified our client certificate"

# The client key is a secret like the password: refused at start when others can read it.
chmod 644 "$T/certs/client.key"
rc=0; "$BIN/nullrelayd" -C "$CONF" --once >"$T/key.log" 2>&1 || rc=$?
chmod 600 "$T/certs/client.key"
assert_eq $rc 78 "a world-readable client key: EX_CONFIG"
grep -q "tls_client_key .* is readable by every user" "$T/key.log" || fail "unclear: $(cat "$T/key.log")"
pass "a client key readable by every user is refused"
