#!/bin/sh
# Benchmark: vigil scan vs yara -r -N -p N (same rules, externals, threads)
# vs sha256sum over the same files. Prints wall times and ratios.
# Usage: bench/scan.sh [TREE] [RULES_DIR]
#   TREE defaults to /usr/bin, RULES_DIR to ../shared/corpora/signature-base/yara
set -eu
cd "$(dirname "$0")/.."
TREE=${1:-/usr/bin}
RULES=${2:-../shared/corpora/signature-base/yara}
THREADS=$(getconf _NPROCESSORS_ONLN)
VIGIL=${VIGIL:-./build/vigil}
[ -x "$VIGIL" ] || sh scripts/build.sh build >/dev/null
[ -d "$RULES" ] || { echo "bench: no rules at $RULES" >&2; exit 2; }

now() { date +%s.%N; }
# Files yara and vigil read: regular files, symlinks not followed.
LIST=$(mktemp)
trap 'rm -f "$LIST"' EXIT
find "$TREE" -type f -print0 >"$LIST"
nfiles=$(tr -cd '\0' <"$LIST" | wc -c)
bytes=$(xargs -0 cat <"$LIST" | wc -c)

# warm the page cache so that every tool reads from memory
xargs -0 cat <"$LIST" >/dev/null

t0=$(now)
# shellcheck disable=SC2046
yara -r -N -p "$THREADS" -d filename=x -d filepath=x -d extension=x \
	-d filetype=x -d owner=x -d md5=x $(ls "$RULES"/*.yar) "$TREE" >/dev/null 2>&1 || true
t1=$(now)
"$VIGIL" scan --no-builtin --threads "$THREADS" --rules "$RULES" "$TREE" >/dev/null 2>&1 || true
t2=$(now)
xargs -0 -P "$THREADS" -n 64 sha256sum <"$LIST" >/dev/null
t3=$(now)
"$VIGIL" scan --no-builtin --no-checks --threads "$THREADS" --rules "$RULES" "$TREE" >/dev/null 2>&1 || true
t4=$(now)

awk -v y="$t0 $t1" -v v="$t1 $t2" -v s="$t2 $t3" -v n="$t3 $t4" \
    -v files="$nfiles" -v bytes="$bytes" -v thr="$THREADS" -v tree="$TREE" 'BEGIN {
	split(y, a); split(v, b); split(s, c); split(n, d)
	yt = a[2] - a[1]; vt = b[2] - b[1]; st = c[2] - c[1]; nt = d[2] - d[1]
	printf "tree %s: %d files, %.1f MiB, %d threads\n", tree, files, bytes / 1048576, thr
	printf "yara -r -N -p %d          %7.2f s\n", thr, yt
	printf "vigil scan (all checks)   %7.2f s   ratio vs yara %.2f\n", vt, vt / yt
	printf "vigil scan --no-checks    %7.2f s   ratio vs yara %.2f, tampering-check overhead %+.1f%%\n", nt, nt / yt, (vt / nt - 1) * 100
	printf "sha256sum (xargs -P %d)   %7.2f s   vigil / sha256sum %.2f\n", thr, st, vt / st
}'
