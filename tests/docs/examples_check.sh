#!/usr/bin/env bash
# Every provider example in examples/providers/ (and examples/nullrelay.conf) is a complete
# configuration that `nullrelay check` accepts, with its password_file pointed at a
# temporary file. --config-only: the OAuth2 examples would otherwise ask Microsoft's and
# Google's token endpoints for a token (no network in tests; t60-t65 do that part).
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
    if out=$("$BIN/nullrelay" -C "$conf" check --config-only 2>&1); then
        echo "ok: $name"
        continue
    fi
    echo "FAIL: $name: $out" >&2
    errors=$((errors + 1))
done
[ "$count" -ge 10 ] || { echo "FAIL: only $count examples found" >&2; exit 1; }
[ "$errors" -eq 0 ]
