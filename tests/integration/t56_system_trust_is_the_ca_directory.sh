# With neither tls_ca_file nor tls_ca_path, the smarthost is verified against the system's
# CA directory, /etc/ssl/certs, found by hash; the bundle ca-certificates.crt in it is not
# read (OpenSSL would parse all of it for every connection: man nullrelay.conf, tls_ca_path).
#   - the test CA hashed in the directory, another CA alone in the bundle: delivered;
#   - the test CA alone in the bundle, another CA hashed in the directory: refused, kept
#     queued, nothing sent.
# The scenario runs in its own mount namespace, where a directory of the test's own is
# mounted over /etc/ssl/certs; the host's is never touched.
if [ -z "${NULLRELAY_T56_IN_NS:-}" ]; then
    if [ ! -d /etc/ssl/certs ]; then
        echo "skip: no /etc/ssl/certs to mount over (the openssl package makes it)"
        exit 77
    fi
    if ! why=$(unshare --mount -- true 2>&1); then
        echo "skip: no mount namespace here (${why:-unshare failed})"
        exit 77
    fi
    NULLRELAY_T56_IN_NS=1 exec unshare --mount --propagation private -- bash "$0" "$@"
fi
source "$(dirname "$0")/lib.sh"

system_certs() {  # system_certs HASHED-CA BUNDLE-CA: what /etc/ssl/certs holds from now on
    local dir=$T/etc-ssl-certs
    mountpoint -q /etc/ssl/certs && umount /etc/ssl/certs
    rm -rf "$dir"; mkdir -p "$dir"
    cp "$1" "$dir/"
    openssl rehash "$dir" || fail "openssl rehash"
    cp "$2" "$dir/ca-certificates.crt"
    mount --bind "$dir" /etc/ssl/certs || fail "cannot mount over /etc/ssl/certs"
}

write_config
sed -i '/^tls_ca_file/d' "$CONF"

system_certs "$T/certs/ca.crt" "$T/certs/unknownca.crt"
delivered_by_smarthost "the test CA in the system's directory" --

system_certs "$T/certs/unknownca.crt" "$T/certs/ca.crt"
refused_by_smarthost "the test CA only in the bundle" \
    "certificate.*\\(trusted: the system's CAs in /etc/ssl/certs \\(by hash\\); tls_ca_file or tls_ca_path for a private CA\\)" '^[0-9]+ C~?: (AUTH|MAIL|RCPT|DATA)' --
pass "the bundle alone is not trusted: kept queued, no AUTH, nothing sent"
