#!/bin/bash
# make-certs.sh OUTDIR -- throwaway PKI for the test smarthost.
#
# Creates in OUTDIR (EC P-256 keys, 2 days validity):
#   ca.crt/ca.key                 test CA
#   server.crt/server.key         signed by the CA, SAN DNS:localhost, IP:127.0.0.1
#   wronghost.crt/wronghost.key   signed by the CA, SAN DNS:wrong.example only
#   unknownca.crt/unknownca.key   self-signed, SAN DNS:localhost, IP:127.0.0.1
#   client.crt/client.key         signed by the CA, extendedKeyUsage clientAuth
#
# Idempotent: does nothing when OUTDIR/ca.crt already exists.  ca.crt is put in
# place last and the whole run holds a lock, so parallel test runs sharing one
# OUTDIR never see a half-made or mixed set.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)  # absolute: the work below happens in a temporary directory
[ -e "$out/ca.crt" ] && exit 0

exec 9>"$out/.make-certs.lock"
flock 9
[ -e "$out/ca.crt" ] && exit 0

tmp=$(mktemp -d "$out/.make-certs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# A private config so the result does not depend on the system openssl.cnf
# (whose v3_ca/req defaults differ between distributions).  The extensions are
# the ones strict verifiers (OpenSSL X509_STRICT, Python >= 3.13) insist on.
cat >openssl.cnf <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost, IP:127.0.0.1
[wronghost_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:wrong.example
[unknownca_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = DNS:localhost, IP:127.0.0.1
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF

days=2

newkey() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
}

serial() {
    echo "0x$(openssl rand -hex 8)"
}

selfsigned() {  # name subject extensions
    newkey "$1"
    openssl req -new -x509 -config openssl.cnf -key "$1.key" -subj "$2" \
        -extensions "$3" -days "$days" -set_serial "$(serial)" -out "$1.crt"
}

signed() {  # name subject extensions
    newkey "$1"
    openssl req -new -config openssl.cnf -key "$1.key" -subj "$2" -out "$1.csr"
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -set_serial "$(serial)" \
        -days "$days" -extfile openssl.cnf -extensions "$3" -out "$1.crt" 2>/dev/null
}

selfsigned ca "/CN=nullrelay test CA" ca_ext
signed server "/CN=localhost" server_ext
signed wronghost "/CN=wrong.example" wronghost_ext
selfsigned unknownca "/CN=localhost" unknownca_ext
signed client "/CN=nullrelay test client" client_ext

chmod 600 ./*.key
for name in server wronghost unknownca client; do
    mv -f "$name.key" "$name.crt" "$out/"
done
mv -f ca.key "$out/"
mv -f ca.crt "$out/"
