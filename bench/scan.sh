#!/bin/sh
# Benchmark: vigil scan vs `yara -r -N -p N` (same rules, externals and
# threads) vs sha256sum over the same files. vigil also loads the IOCs and
# computes three digests. Each command runs REPEAT times (default 3), the
# runs of all commands interleaved (each round in a rotated order) so that
# a burst of load elsewhere hits them alike; prints the median wall and CPU
# (user + system) times and the ratios.
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
# shellcheck disable=SC2086
run_yara() { t yara yara -r -N -p "$THREADS" $EXT $RULEFILES "$TREE"; }
run_yarac() { t yarac_run yara -C -r -N -p "$THREADS" $EXT "$W/rules.yarc" "$TREE"; }
run_vigil_cold() {
	t vigil_cold "$VIGIL" scan --no-builtin --no-rules-cache --threads "$THREADS" \
		--iocs "$IOCS" --rules "$RULES" "$TREE"
}
run_vigil_warm() {
	t vigil_warm "$VIGIL" scan --no-builtin --threads "$THREADS" --iocs "$IOCS" --rules "$RULES" "$TREE"
}
run_vigil_nochecks() {
	t vigil_nochecks "$VIGIL" scan --no-builtin --no-checks --threads "$THREADS" \
		--iocs "$IOCS" --rules "$RULES" "$TREE"
}
run_vigil_hashonly() { t vigil_hashonly "$VIGIL" scan --no-builtin --no-checks --threads "$THREADS" "$TREE"; }
run_sha256sum() { t sha256sum sh -c "xargs -0 -P $THREADS -n 64 sha256sum <'$W/list'"; }
bench_rounds "$REPEAT" run_yara run_yarac run_vigil_cold run_vigil_warm run_vigil_nochecks run_vigil_hashonly run_sha256sum
r() { bench_median "$1"; }
awk -v tree="$TREE" -v files="$nfiles" -v bytes="$bytes" -v thr="$THREADS" \
    -v y="$(r yara)" -v yc="$(r yarac_run)" -v vc="$(r vigil_cold)" \
    -v vw="$(r vigil_warm)" -v vn="$(r vigil_nochecks)" -v vh="$(r vigil_hashonly)" \
    -v s="$(r sha256sum)" -v rep="$REPEAT" \
    -v Y="$(r yara.cpu)" -v YC="$(r yarac_run.cpu)" -v VC="$(r vigil_cold.cpu)" \
    -v VW="$(r vigil_warm.cpu)" -v VN="$(r vigil_nochecks.cpu)" -v VH="$(r vigil_hashonly.cpu)" \
    -v S="$(r sha256sum.cpu)" 'BEGIN {
	printf "tree %s: %d files, %.1f MiB, %d threads, median of %d runs; rules compiled from source unless noted\n", tree, files, bytes / 1048576, thr, rep
	printf "%-44s %7s %9s\n", "", "wall", "CPU"
	printf "%-44s %7.2f s %7.2f s\n", "yara -r -N", y, Y
	printf "%-44s %7.2f s %7.2f s\n", "yara -C (rules precompiled by yarac)", yc, YC
	printf "%-44s %7.2f s %7.2f s  %.2fx yara (CPU %.2fx)\n", "vigil scan + IOCs (rules compiled)", vc, VC, vc / y, VC / Y
	printf "%-44s %7.2f s %7.2f s  %.2fx yara (CPU %.2fx), %.2fx yara -C (CPU %.2fx)\n", "vigil scan + IOCs (rules from its cache)", vw, VW, vw / y, VW / Y, vw / yc, VW / YC
	printf "%-44s %7.2f s %7.2f s  tampering checks cost %+.1f%% wall, %+.1f%% CPU\n", "vigil scan --no-checks (cache)", vn, VN, (vw / vn - 1) * 100, (VW / VN - 1) * 100
	printf "%-44s %7.2f s %7.2f s  %.2fx sha256sum\n", "vigil scan, no content (3 digests only)", vh, VH, vh / s
	printf "%-44s %7.2f s %7.2f s\n", "sha256sum (xargs -P)", s, S
}'
