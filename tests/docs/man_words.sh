#!/usr/bin/env bash
# Every man page renders with its words apart: an alternating-font macro (.BR, .BI, .RB, .IR...)
# glues its arguments together, so ".BR nullrelay-aliases (5)), so the map..." renders as
# "nullrelay-aliases(5)),sothemap...". man --warnings says nothing about that: groff does what
# it was told. This renders each page as man shows it (overstrike: bold is c^Hc, italic _^Hc)
# and fails on a word in which the font changes between a letter, digit or closing punctuation
# and a letter or digit: the mark of two words joined by a font change, never of a real word
# (a real "nullrelay(8)" or "-C file" changes font before "(" or after a space). The one
# exception: an option with its value attached in italics (-qIid, -oex).
set -euo pipefail
SRC=${NULLRELAY_SRC:?set NULLRELAY_SRC to the source directory}
command -v man >/dev/null || { echo "FAIL: man missing (scripts/install-deps installs man-db)" >&2; exit 1; }

pages=()
for page in "$SRC"/man/*.[1-8]; do
    grep -q '^\.so ' "$page" || pages+=("$page")
done
[ "${#pages[@]}" -ge 5 ] || { echo "FAIL: found only ${#pages[@]} man pages under $SRC/man" >&2; exit 1; }

errors=0
for page in "${pages[@]}"; do
    name=$(basename "$page")
    LC_ALL=C.UTF-8 MAN_KEEP_FORMATTING=1 MANWIDTH=80 man -E UTF-8 -l "$page" 2>/dev/null |
        /usr/bin/python3 -c '
import sys
name = sys.argv[1]
text = sys.stdin.read()
bad = 0
for lineno, line in enumerate(text.split("\n"), 1):
    # (character, font) pairs: "c\bc" bold, "_\bc" italic, anything else roman.
    cells = []
    i = 0
    while i < len(line):
        if i + 2 < len(line) and line[i + 1] == "\b":
            first, ch = line[i], line[i + 2]
            cells.append((ch, "I" if first == "_" and ch != "_" else "B"))
            i += 3
        else:
            cells.append((line[i], "R"))
            i += 1
    plain = "".join(c for c, _ in cells)
    for k in range(len(cells) - 1):
        (a, fa), (b, fb) = cells[k], cells[k + 1]
        if fa != fb and (a.isalnum() or a in ",;:!?)") and b.isalnum():
            start = plain.rfind(" ", 0, k) + 1
            end = plain.find(" ", k)
            word = plain[start : end if end >= 0 else len(plain)]
            if word.startswith("-") and fb == "I":
                continue  # an option with its value attached: -qIid, -oex
            bad += 1
            print(f"FAIL: {name}: rendered line {lineno}: words run together: {word}")
            break
sys.exit(1 if bad else 0)
' "$name" || errors=$((errors + 1))
done
[ "$errors" -eq 0 ] || exit 1
echo "ok: ${#pages[@]} man pages render with their words apart"
