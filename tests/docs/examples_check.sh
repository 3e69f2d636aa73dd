#!/usr/bin/env bash
# Every provider example in examples/providers/ (and examples/nullrelay.conf) is a complete
# configuration that `nullrelay check` accepts, with its password_file pointed at a
# temporary file. password_command and auth_mechanism (microsoft365.conf) belong to the
# OAuth2 work: while this build does not know them, that example must fail on those keys
# alone and pass without them (given a password_file instead).
set -euo pipefail
BIN=${NULLRELAY_BIN:?set NULLRELAY_BIN to the build directory}
SRC=${NULLRELAY_SRC:?set NULLRELAY_SRC to the source directory}
T=$(mktemp -d /tmp/nullrelay-examples.XXXXXX)
trap 'rm -rf "$T"' EXIT
echo secret >"$T/password"
chmod 600 "$T/password"
errors=0
count=0
for example in "$SRC"/examples/providers/*.conf "$SRC"/examples/nullrelay.conf; do
    name=${example#"$SRC"/examples/}
    conf=$T/$(basename "$example")
    sed "s|^password_file = .*|password_file = $T/password|" "$example" >"$conf"
    count=$((count + 1))
    if out=$("$BIN/nullrelay" -C "$conf" check 2>&1); then
        echo "ok: $name"
        continue
    fi
    if grep -qE "unknown key '(password_command|auth_mechanism)'" <<<"$out"; then
        # Without them the account needs a password the old way.
        { grep -vE '^(password_command|auth_mechanism) *=' "$conf"
          echo "password_file = $T/password"; } >"$conf.without"
        if out2=$("$BIN/nullrelay" -C "$conf.without" check 2>&1); then
            echo "ok: $name (without password_command/auth_mechanism, not known to this build yet)"
            continue
        fi
        out=$out2
    fi
    echo "FAIL: $name: $out" >&2
    errors=$((errors + 1))
done
[ "$count" -ge 8 ] || { echo "FAIL: only $count examples found" >&2; exit 1; }
[ "$errors" -eq 0 ]
