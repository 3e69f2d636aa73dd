#!/usr/bin/env bash
# The manual is complete and clean: every key of the configuration's setters table
# (src/config/config.cpp) is described in nullrelay.conf(5), every subcommand that `nullrelay --help`
# lists is described in nullrelay(8), each program's page has a SECURITY section, .so links
# point at pages that exist, and man --warnings reports nothing for any page.
set -euo pipefail
BIN=${NULLRELAY_BIN:?set NULLRELAY_BIN to the build directory}
SRC=${NULLRELAY_SRC:?set NULLRELAY_SRC to the source directory}
man_dir=$SRC/man
errors=0
fail() { echo "FAIL: $*" >&2; errors=$((errors + 1)); }
# A page describes NAME when NAME is a word of the tag of a .TP paragraph (the line after
# .TP, font escapes removed): ".BI retry_min ... retry_max ..." or "\fBrewrite\fR [\-s]".
describes() {
    awk 'prev == ".TP" {print} {prev = $0}' "$1" | sed 's/\\f[BIRP]//g' | grep -qwF -- "$2"
}

# 1. Configuration keys: the setters table, entries at its fixed indentation.
keys=$(sed -n '/setters() {/,/^    };/p' "$SRC/src/config/config.cpp" | grep -oE '^        \{"[a-z0-9_]+"' |
    grep -oE '[a-z0-9_]+')
[ "$(echo "$keys" | wc -w)" -ge 10 ] || fail "could not read the keys from src/config/config.cpp"
for key in $keys; do
    describes "$man_dir/nullrelay.conf.5" "$key" || fail "key '$key' is not in nullrelay.conf.5"
done
echo "ok: $(echo "$keys" | wc -w) configuration keys documented"

# 2. Subcommands, as the program itself lists them (CLI11: "Subcommands:" then one a line).
subcommands=$("$BIN/nullrelay" --help | sed -n '/^Subcommands:/,/^$/p' | sed 1d |
    awk 'NF {print $1}')
[ -n "$subcommands" ] || fail "could not read the subcommands from nullrelay --help"
for cmd in $subcommands; do
    describes "$man_dir/nullrelay.8" "$cmd" || fail "subcommand '$cmd' is not in nullrelay.8"
done
echo "ok: subcommands documented: $(echo $subcommands)"

# 3. SECURITY sections, .so links, and man's own warnings (groff's, with -ww).
for page in "$man_dir"/*.[1-8]; do
    name=$(basename "$page")
    if so=$(sed -n 's/^\.so //p' "$page") && [ -n "$so" ]; then
        [ -f "$man_dir/$(basename "$so")" ] || fail "$name: .so $so does not exist"
        continue
    fi
    case "$name" in
    *.1 | *.8) grep -q '^\.SH SECURITY' "$page" || fail "$name has no SECURITY section" ;;
    esac
    warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null) ||
        fail "$name: man failed"
    [ -z "$warnings" ] || fail "$name: man --warnings: $warnings"
done
echo "ok: man pages checked"
[ "$errors" -eq 0 ]
