#!/bin/sh
# Benchmark: vigil scan vs `yara -r -N -p N` (same rules, externals and
# threads) vs sha256sum over the same files. vigil also loads the IOCs and
# computes three digests. Each command runs REPEAT times (default 3), the
# runs of all commands interleaved so that a burst of load elsewhere hits
# them alike; prints the median wall times and the ratios.
# Usage: bench/scan.sh [TREE] [RULES_DIR] [IOCS_DIR]
#   TREE defaults to /usr/bin, RULES_DIR to ../shared/corpora/signature-base/yara,
#   IOCS_DIR to ../shared/corpora/signature-base/iocs
set -eu
cd "$(dirname "$0")/.."
TREE=${1:-/usr/bin}
RULES=${2:-../shared/corpora/signature-base/yara}
IOCS=${3:-../shared/corpora/signature-base/iocs}
REPEAT=${REPEAT:-3}
THREADS=$(getconf _NPROCESSORS_ONLN)
VIGIL=${VIGIL:-./build/vigil}
[ -x "$VIGIL" ] || sh scripts/build.sh build >/dev/null
[ -d "$RULES" ] || { echo "bench: no rules at $RULES" >&2; exit 2; }
[ -d "$IOCS" ] || { echo "bench: no IOCs at $IOCS" >&2; exit 2; }

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export VIGIL_CACHE_DIR="$W/cache"
EXT="-d filename=x -d filepath=x -d extension=x -d filetype=x -d owner=x -d md5=x"
RULEFILES=$(ls "$RULES"/*.yar)

# the files both tools read: regular files, symlinks not followed
find "$TREE" -type f -print0 >"$W/list"
nfiles=$(tr -cd '\0' <"$W/list" | wc -c)
bytes=$(xargs -0 cat <"$W/list" | wc -c)
xargs -0 cat <"$W/list" >/dev/null # warm the page cache for every tool

. bench/lib.sh
t() { bench_time "$@"; }
# shellcheck disable=SC2086
yarac $EXT $RULEFILES "$W/rules.yarc" >/dev/null 2>&1

"$VIGIL" scan --no-builtin --rules "$RULES" /dev/null >/dev/null 2>&1 || true # prime the cache
i=0
while [ "$i" -lt "$REPEAT" ]; do
	i=$((i + 1))
	# shellcheck disable=SC2086
	t yara yara -r -N -p "$THREADS" $EXT $RULEFILES "$TREE"
	t yarac_run yara -C -r -N -p "$THREADS" $EXT "$W/rules.yarc" "$TREE"
	t vigil_cold "$VIGIL" scan --no-builtin --no-rules-cache --threads "$THREADS" \
		--iocs "$IOCS" --rules "$RULES" "$TREE"
	t vigil_warm "$VIGIL" scan --no-builtin --threads "$THREADS" --iocs "$IOCS" --rules "$RULES" "$TREE"
	t vigil_nochecks "$VIGIL" scan --no-builtin --no-checks --threads "$THREADS" \
		--iocs "$IOCS" --rules "$RULES" "$TREE"
	t vigil_hashonly "$VIGIL" scan --no-builtin --no-checks --threads "$THREADS" "$TREE"
	t sha256sum sh -c "xargs -0 -P $THREADS -n 64 sha256sum <'$W/list'"
done
r() { bench_median "$1"; }
awk -v tree="$TREE" -v files="$nfiles" -v bytes="$bytes" -v thr="$THREADS" \
    -v y="$(r yara)" -v yc="$(r yarac_run)" -v vc="$(r vigil_cold)" \
    -v vw="$(r vigil_warm)" -v vn="$(r vigil_nochecks)" -v vh="$(r vigil_hashonly)" \
    -v s="$(r sha256sum)" -v rep="$REPEAT" 'BEGIN {
	printf "tree %s: %d files, %.1f MiB, %d threads, median of %d runs; rules compiled from source unless noted\n", tree, files, bytes / 1048576, thr, rep
	printf "%-44s %7.2f s\n", "yara -r -N", y
	printf "%-44s %7.2f s\n", "yara -C (rules precompiled by yarac)", yc
	printf "%-44s %7.2f s  %.2fx yara\n", "vigil scan + IOCs (rules compiled)", vc, vc / y
	printf "%-44s %7.2f s  %.2fx yara, %.2fx yara -C\n", "vigil scan + IOCs (rules from its cache)", vw, vw / y, vw / yc
	printf "%-44s %7.2f s  tampering checks cost %+.1f%%\n", "vigil scan --no-checks (cache)", vn, (vw / vn - 1) * 100
	printf "%-44s %7.2f s  %.2fx sha256sum\n", "vigil scan, no content (3 digests only)", vh, vh / s
	printf "%-44s %7.2f s\n", "sha256sum (xargs -P)", s
}'
