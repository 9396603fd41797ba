#!/bin/sh
# Benchmark: a re-sweep with the store against `yara -r -N -p N` on the
# same tree, in the same run. A first sweep (not timed) fills a scratch
# store; then, interleaved REPEAT times (default 3): yara over the tree;
# vigil's re-sweep of the unchanged tree; and vigil's re-sweep right after
# the hash IOCs changed (two IOC sets, alternated, so that every timed run
# follows a change: the hits come from the stored digests). Prints the
# median wall and CPU times and the ratios to yara.
# Usage: bench/rescan.sh [TREE] [RULES_DIR] [IOCS_DIR]
#   TREE defaults to /usr/lib/x86_64-linux-gnu, RULES_DIR to
#   ../shared/corpora/signature-base/yara, IOCS_DIR to
#   ../shared/corpora/signature-base/iocs
set -eu
cd "$(dirname "$0")/.."
TREE=${1:-/usr/lib/x86_64-linux-gnu}
RULES=${2:-../shared/corpora/signature-base/yara}
IOCS=${3:-../shared/corpora/signature-base/iocs}
REPEAT=${REPEAT:-3}
THREADS=${THREADS:-2}
VIGIL=${VIGIL:-./build/vigil}
[ -x "$VIGIL" ] || sh scripts/build.sh build >/dev/null
[ -d "$RULES" ] || { echo "bench: no rules at $RULES" >&2; exit 2; }
[ -d "$IOCS" ] || { echo "bench: no IOCs at $IOCS" >&2; exit 2; }

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export VIGIL_CACHE_DIR="$W/cache"
export VIGIL_STORE="$W/store.db"
EXT="-d filename=x -d filepath=x -d extension=x -d filetype=x -d owner=x -d md5=x"
RULEFILES=$(ls "$RULES"/*.yar)

find "$TREE" -type f -print0 >"$W/list"
nfiles=$(tr -cd '\0' <"$W/list" | wc -c)
xargs -0 cat <"$W/list" >/dev/null # warm the page cache for every tool

. bench/lib.sh
t() { bench_time "$@"; }

# two extra hash IOC sets: a digest of a file in the tree each (one hit)
# and a different made-up digest, so their identities differ
one=$(head -z -n 1 "$W/list" | xargs -0 sha256sum | cut -d' ' -f1)
mkdir -p "$W/extra-a" "$W/extra-b"
printf '%s;bench hit\n%064d;bench a\n' "$one" 1 >"$W/extra-a/bench-hash-iocs.txt"
printf '%s;bench hit\n%064d;bench b\n' "$one" 2 >"$W/extra-b/bench-hash-iocs.txt"

# the first sweep fills the store (and the rules cache)
"$VIGIL" scan --no-builtin --threads "$THREADS" --iocs "$IOCS" --rules "$RULES" \
	--json "$TREE" >"$W/first.json" 2>/dev/null || true
"$VIGIL" scan --no-builtin --threads "$THREADS" --iocs "$IOCS" --rules "$RULES" \
	--json "$TREE" >"$W/second.json" 2>/dev/null || true
reused=$(tail -n 1 "$W/second.json" | sed 's/.*"files_reused":\([0-9]*\).*/\1/')
read_n=$(tail -n 1 "$W/second.json" | sed 's/.*"files_read":\([0-9]*\).*/\1/')

# shellcheck disable=SC2086
run_yara() { t yara yara -r -N -p "$THREADS" $EXT $RULEFILES "$TREE"; }
run_unchanged() {
	t unchanged "$VIGIL" scan --no-builtin --threads "$THREADS" --iocs "$IOCS" \
		--rules "$RULES" "$TREE"
}
flip=a
run_newiocs() {
	flip=$([ "$flip" = a ] && echo b || echo a)
	t newiocs "$VIGIL" scan --no-builtin --threads "$THREADS" --iocs "$IOCS" \
		--iocs "$W/extra-$flip" --rules "$RULES" "$TREE"
}
bench_rounds "$REPEAT" run_yara run_unchanged run_newiocs
# the last changed-IOC run: its hit, and that it read nothing
"$VIGIL" scan --no-builtin --threads "$THREADS" --iocs "$IOCS" \
	--iocs "$W/extra-$([ "$flip" = a ] && echo b || echo a)" --rules "$RULES" \
	--json "$TREE" >"$W/new.json" 2>/dev/null || true
hit=$(grep -c "bench hit" "$W/new.json" || true)
new_read=$(tail -n 1 "$W/new.json" | sed 's/.*"files_read":\([0-9]*\).*/\1/')

r() { bench_median "$1"; }
c() { sort -n "$W/$1.cpu.times" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
awk -v tree="$TREE" -v files="$nfiles" -v thr="$THREADS" -v rep="$REPEAT" \
    -v y="$(r yara)" -v u="$(r unchanged)" -v n="$(r newiocs)" \
    -v Y="$(c yara)" -v U="$(c unchanged)" -v N="$(c newiocs)" \
    -v reused="$reused" -v readn="$read_n" -v hit="$hit" -v nr="$new_read" 'BEGIN {
	printf "tree %s: %d files, %d threads, median of %d runs\n", tree, files, thr, rep
	printf "second sweep: %s files reused, %s read\n", reused, readn
	printf "%-44s %8.2f s  CPU %8.2f s\n", "yara -r -N (signature-base)", y, Y
	printf "%-44s %8.2f s  CPU %8.2f s  %6.1fx faster than yara\n", "vigil re-sweep, unchanged", u, U, y / u
	printf "%-44s %8.2f s  CPU %8.2f s  %6.1fx faster than yara\n", "vigil re-sweep, hash IOCs changed", n, N, y / n
	printf "after the change: %s record(s) with the new hash IOC, %s files read\n", hit, nr
}'
