#!/bin/sh
# Benchmark: vigil pkg verify against debsums -s on this host's installed
# packages (or the PACKAGEs given), in the same run, the page cache warmed
# by an untimed vigil run (it reads every file debsums reads; debsums is
# slow enough on a host with many changed files that a second untimed run
# of it would double the bench). Both check every package file against its
# md5sums (debsums -s leaves conffiles out, and so does the set compared
# here); debsums is the oracle: the sets of changed and of missing files
# both report are compared and every difference printed. vigil also runs
# with everything it does beyond debsums (cached .debs against apt's
# lists, unowned executables), timed apart.
# Usage: bench/pkg.sh [PACKAGE...]   ROUNDS=N (default 1) rounds of each.
set -eu
cd "$(dirname "$0")/.."
VIGIL=${VIGIL:-./build/vigil}
W=${BENCH_DIR:-build/bench-pkg}
[ -x "$VIGIL" ] || sh scripts/build.sh build >/dev/null
command -v debsums >/dev/null 2>&1 || { echo "bench: debsums is not installed"; exit 77; }
mkdir -p "$W"
rm -f "$W"/*.times
. bench/lib.sh

run_vigil() { "$VIGIL" pkg verify --no-debs --no-unowned --json "$@" >"$W/vigil.json" || true; }
run_full() { "$VIGIL" pkg verify --json "$@" >"$W/full.json" || true; }
run_debsums() { debsums -s "$@" >"$W/debsums.out" 2>&1 || true; }
t_vigil() { bench_time vigil run_vigil "$@"; }
t_full() { bench_time full run_full "$@"; }
t_debsums() { bench_time debsums run_debsums "$@"; }

# warm the cache (untimed), then the rounds
run_vigil "$@"
r=0
while [ "$r" -lt "${ROUNDS:-1}" ]; do
	if [ $((r % 2)) -eq 0 ]; then t_vigil "$@"; t_debsums "$@"; else t_debsums "$@"; t_vigil "$@"; fi
	r=$((r + 1))
done
t_full "$@"

jq -r 'select(.type == "package" and (.finding.id == "VGL-PKG-CHANGED" or .finding.id == "VGL-PKG-REPLACED")) | .path' \
	"$W/vigil.json" | sort -u >"$W/vigil.changed"
jq -r 'select(.type == "package" and .finding.id == "VGL-PKG-MISSING") | .path' \
	"$W/vigil.json" | sort -u >"$W/vigil.missing"
sed -n 's/^debsums: changed file \(.*\) (from .* package)$/\1/p' "$W/debsums.out" | sort -u >"$W/debsums.changed"
sed -n 's/^debsums: missing file \(.*\) (from .* package)$/\1/p' "$W/debsums.out" | sort -u >"$W/debsums.missing"

vt=$(bench_median vigil)
dt=$(bench_median debsums)
ft=$(bench_median full)
files=$(jq -r 'select(.type == "summary") | .files' "$W/vigil.json")
mib=$(jq -r 'select(.type == "summary") | .bytes / 1048576 | floor' "$W/vigil.json")
echo "packages files: $files ($mib MiB), $(nproc) CPUs, rounds: ${ROUNDS:-1}"
echo "vigil pkg verify (md5sums only):   ${vt} s (cpu $(sort -n "$W/vigil.cpu.times" | head -1) s)"
echo "debsums -s:                        ${dt} s (cpu $(sort -n "$W/debsums.cpu.times" | head -1) s)"
echo "vigil pkg verify (+debs, unowned): ${ft} s"
awk -v v="$vt" -v d="$dt" 'BEGIN { printf "ratio debsums / vigil: %.1fx\n", d / v }'
status=0
for k in changed missing; do
	echo "$k: vigil $(wc -l <"$W/vigil.$k"), debsums $(wc -l <"$W/debsums.$k")"
	if ! diff "$W/debsums.$k" "$W/vigil.$k" >"$W/$k.diff"; then
		echo "DIFFERENCE in the $k files (< debsums only, > vigil only):"
		grep '^[<>]' "$W/$k.diff"
		status=1
	fi
done
other=$(grep -v '^debsums: \(changed\|missing\) file ' "$W/debsums.out" | head -5 || true)
[ -z "$other" ] || { echo "debsums also said:"; echo "$other"; }
exit $status
