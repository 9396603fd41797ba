#!/bin/sh
# Benchmark: vigil baseline init and check of a tree (default
# /usr/lib/x86_64-linux-gnu) against aide --init and aide --check with an
# equivalent selection (AIDE's p+i+n+u+g+s+m+c+sha256, vigil's the same
# letters), warm page cache (one untimed read of the tree first), both in
# the same run; prints the medians and the ratios.
# Usage: bench/baseline.sh [DIR]   ROUNDS=N (default 3) rounds of each.
set -eu
cd "$(dirname "$0")/.."
VIGIL=${VIGIL:-./build/vigil}
W=${BENCH_DIR:-build/bench-baseline}
DIR=${1:-/usr/lib/x86_64-linux-gnu}
[ -x "$VIGIL" ] || sh scripts/build.sh build >/dev/null
command -v aide >/dev/null 2>&1 || { echo "bench: aide is not installed"; exit 77; }
mkdir -p "$W"
W=$(cd "$W" && pwd)
rm -f "$W"/*.times "$W"/aide.db* "$W"/store.db*
. bench/lib.sh
DIR=$(cd "$DIR" && pwd -P)

cat >"$W/aide.conf" <<EOT
database_in=file:$W/aide.db
database_out=file:$W/aide.db.new
gzip_dbout=no
report_url=file:$W/aide.report
Sel = p+i+n+u+g+s+m+c+sha256
$DIR Sel
EOT
printf '%s p+i+n+u+g+s+m+c+sha256\n' "$DIR" >"$W/vigil.rules"

run_vigil_init() { "$VIGIL" baseline init --store "$W/store.db" --select "$W/vigil.rules"; }
run_vigil_check() { "$VIGIL" baseline check --store "$W/store.db"; }
run_aide_init() { aide --config "$W/aide.conf" --init && mv "$W/aide.db.new" "$W/aide.db"; }
run_aide_check() { aide --config "$W/aide.conf" --check; }
t_vigil_init() { bench_time vigil_init run_vigil_init; }
t_vigil_check() { bench_time vigil_check run_vigil_check; }
t_aide_init() { bench_time aide_init run_aide_init; }
t_aide_check() { bench_time aide_check run_aide_check; }

# warm the cache (untimed); both databases exist before the first check
find "$DIR" -type f -exec cat {} + >/dev/null 2>&1 || true
run_vigil_init >/dev/null 2>&1
run_aide_init >/dev/null 2>&1
bench_rounds "${ROUNDS:-3}" t_vigil_init t_aide_init t_vigil_check t_aide_check

vi=$(bench_median vigil_init) ai=$(bench_median aide_init)
vc=$(bench_median vigil_check) ac=$(bench_median aide_check)
echo "tree: $DIR ($(find "$DIR" | wc -l) entries, $(du -sh "$DIR" | cut -f1)), rounds ${ROUNDS:-3}"
printf 'init:  vigil %.2f s, aide %.2f s, ratio %.1fx\n' "$vi" "$ai" "$(awk -v a="$ai" -v v="$vi" 'BEGIN { print a / v }')"
printf 'check: vigil %.2f s, aide %.2f s, ratio %.1fx\n' "$vc" "$ac" "$(awk -v a="$ac" -v v="$vc" 'BEGIN { print a / v }')"
