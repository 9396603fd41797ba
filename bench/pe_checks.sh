#!/bin/sh
# Benchmark: the cost of the structural tampering checks (lib/checks*.c)
# inside `vigil scan`: the same tree scanned with and without --no-checks,
# one thread, no content loaded, mean CPU time of RUNS runs each (default 5);
# prints the overhead in per cent of the scan without checks and the cost
# per file. Usage: bench/pe_checks.sh [TREE]   (default /usr)
#   e.g. /usr (the issue's yardstick: target < 10 %), or a directory of signed
#   PEs (Debian's shim/GRUB from the test fixtures) to see the worst case.
set -eu
cd "$(dirname "$0")/.."
TREE=${1:-/usr}
RUNS=${RUNS:-5}
VIGIL=${VIGIL:-./build/vigil}
[ -x "$VIGIL" ] || { echo "bench: build vigil first (release: sh scripts/build.sh build)" >&2; exit 2; }
n=$(find "$TREE" -type f | wc -l)
find "$TREE" -type f -exec cat {} + >/dev/null # warm the page cache

# CPU seconds (user + system, from the shell's `times`) of 5 scans: CPU
# time rather than wall time, since the machine is shared.
cpu() {
	(
		i=0
		while [ "$i" -lt "$RUNS" ]; do
			i=$((i + 1))
			"$VIGIL" scan --no-builtin --threads 1 "$@" "$TREE" >/dev/null 2>&1 || true
		done
		times
	) | tail -1 | tr 'ms' '  ' | awk -v n="$RUNS" '{ print ($1 * 60 + $2 + $3 * 60 + $4) / n }'
}
with=$(cpu)
without=$(cpu --no-checks)
echo "files: $n"
echo "scan CPU with checks:      ${with} s"
echo "scan CPU with --no-checks: ${without} s"
echo "checks per file:           $(echo "scale=3; ($with - $without) * 1000 / $n" | bc) ms"
echo "overhead of the checks:    $(echo "scale=1; ($with - $without) * 100 / $without" | bc) %"
