#!/usr/bin/env bash
# The queue module owns the spool (docs/architecture.md): no file outside src/queue/ opens,
# lists, locks, marks or renames anything under it, nor spells a path in it. Those calls need
# a directory fd or a spool path, so this looks for both. src/util/ is exempt: its helpers
# (durable_io) take a directory fd and are handed spool directories only by src/queue/.
set -euo pipefail
src=${NULLRELAY_SRC:?}/src
fail=0

# Directory-relative and listing calls, the maildrop lock, and the helpers that open directories.
calls='\b(openat|renameat2?|unlinkat|fstatat|mkdirat|linkat|symlinkat|fchmodat|readdir|fdopendir|opendir|scandir|flock|open_dir|replace_file_unsynced)\('
# A spool path spelled by hand: "/maildrop", "/queue"..., or something appended to spool_dir.
paths='"/(maildrop|data|queue|hold|failed|corrupt|control|lock)\b|spool_dir *\+'

while IFS= read -r hit; do
    echo "spool touched outside src/queue/: $hit" >&2
    fail=1
done < <(grep -rnE "$calls|$paths" --include='*.cpp' --include='*.hpp' "$src" |
         grep -vE "^$src/(queue|util)/" | grep -vE ':[0-9]+: *//' || true)

# The check itself must see what it is meant to catch.
probe=$(mktemp)
trap 'rm -f "$probe"' EXIT
printf 'int x = ::unlinkat(fd, "a", 0);\nstd::string p = config.spool_dir + "/maildrop";\n' >"$probe"
[ "$(grep -cE "$calls|$paths" "$probe")" = 2 ] || { echo "the patterns do not match a probe" >&2; exit 1; }

[ "$fail" = 0 ] && echo "ok: only src/queue/ touches the spool"
exit "$fail"
