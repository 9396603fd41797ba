#!/bin/sh
# The compiled-rules cache: a second run with the same rules takes them from
# the cache with the same results; a changed rule, --no-rules-cache or a
# cache directory open to other users means a fresh compilation.
. "$(dirname "$0")/lib/common.sh"
need jq
export VIGIL_CACHE_DIR="$T/cache"
mkdir -p "$T/d"
printf 'alpha beta\n' >"$T/d/f.txt"
cat >"$T/r.yar" <<'EOT'
rule alpha { strings: $a = "alpha" condition: $a }
EOT

run_vigil scan -v --no-builtin --json --rules "$T/r.yar" "$T/d"
first=$(jq -r 'select(.type=="file") | .findings[].id' "$T/out")
check "first run compiles" 0 "$(grep -c 'taken from the cache' "$T/err" || true)"
check "first run finds alpha" alpha "$first"
check "cache directory is private" 700 "$(stat -c %a "$T/cache/rules")"

run_vigil scan -v --no-builtin --json --rules "$T/r.yar" "$T/d"
check "second run uses the cache" 1 "$(grep -c 'taken from the cache' "$T/err" || true)"
check "same findings from the cache" "$first" "$(jq -r 'select(.type=="file") | .findings[].id' "$T/out")"

cat >"$T/r.yar" <<'EOT'
rule beta { strings: $a = "beta" condition: $a }
EOT
run_vigil scan -v --no-builtin --json --rules "$T/r.yar" "$T/d"
check "changed rule recompiled" 0 "$(grep -c 'taken from the cache' "$T/err" || true)"
check "changed rule in effect" beta "$(jq -r 'select(.type=="file") | .findings[].id' "$T/out")"

run_vigil scan -v --no-builtin --no-rules-cache --rules "$T/r.yar" "$T/d"
check "--no-rules-cache compiles" 0 "$(grep -c 'taken from the cache' "$T/err" || true)"

chmod 755 "$T/cache/rules"
run_vigil scan -v --no-builtin --rules "$T/r.yar" "$T/d"
check "a cache open to others is not used" 0 "$(grep -c 'taken from the cache' "$T/err" || true)"
finish
