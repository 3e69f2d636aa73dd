# tls_ca_path: a directory of CAs found by subject hash (openssl rehash), trusted alone. The
# smarthost's CA there: delivered over verified TLS. Only another CA there: refused, the
# message kept queued, not even AUTH sent.
source "$(dirname "$0")/lib.sh"

ca_dir() {  # ca_dir DIR CERT...: a hashed directory holding these certificates
    local dir=$1; shift
    mkdir -p "$dir"
    cp "$@" "$dir/"
    openssl rehash "$dir" || fail "openssl rehash $dir"
}
ca_dir "$T/ours" "$T/certs/ca.crt"
ca_dir "$T/other" "$T/certs/unknownca.crt"

write_config "tls_ca_path = $T/ours"
sed -i '/^tls_ca_file/d' "$CONF"
delivered_by_smarthost "the smarthost's CA in tls_ca_path" --

write_config "tls_ca_path = $T/other"
sed -i '/^tls_ca_file/d' "$CONF"
refused_by_smarthost "another CA in tls_ca_path" \
    "certificate.*\\(trusted: the CAs in $T/other \\(by hash\\)\\)" '^[0-9]+ C~?: (AUTH|MAIL|RCPT|DATA)' --
pass "only another CA in tls_ca_path: kept queued, no AUTH, nothing sent; the log names the CAs trusted"
