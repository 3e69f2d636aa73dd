#!/usr/bin/env bash
# Every header and every program's main file starts with a comment that says what it is for
# (docs/architecture.md: a newcomer reads a folder by its first lines).
set -euo pipefail
src=${NULLRELAY_SRC:?}/src
fail=0
while IFS= read -r f; do
    head -1 "$f" | grep -q '^// ' || { echo "no leading comment: ${f#$src/}" >&2; fail=1; }
done < <(find "$src" -name '*.hpp' -o -name '*_main.cpp')
[ "$fail" = 0 ] && echo "ok: every header and main says what it is for"
exit "$fail"
