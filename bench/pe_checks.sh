#!/bin/sh
# Benchmark: the cost of the signed-PE checks (lib/checks_pe.c) inside
# `vigil scan`: the same tree scanned with and without --no-checks, one
# thread, no content loaded, mean CPU time of 5 runs each; prints the difference per
# file. Usage: bench/pe_checks.sh TREE
#   e.g. a directory of signed PEs (Debian's shim/GRUB from the test cache,
#   build/tests/cache/debian-efi) or of unsigned PEs or of non-PE files.
set -eu
cd "$(dirname "$0")/.."
TREE=${1:?usage: bench/pe_checks.sh TREE}
VIGIL=${VIGIL:-./build/vigil}
[ -x "$VIGIL" ] || { echo "bench: build vigil first (release: sh scripts/build.sh build)" >&2; exit 2; }
n=$(find "$TREE" -type f | wc -l)
find "$TREE" -type f -exec cat {} + >/dev/null # warm the page cache

# CPU seconds (user + system, from the shell's `times`) of 5 scans: CPU
# time rather than wall time, since the machine is shared.
cpu() {
	(
		for _ in 1 2 3 4 5; do
			"$VIGIL" scan --no-builtin --threads 1 "$@" "$TREE" >/dev/null 2>&1 || true
		done
		times
	) | tail -1 | tr 'ms' '  ' | awk '{ print ($1 * 60 + $2 + $3 * 60 + $4) / 5 }'
}
with=$(cpu)
without=$(cpu --no-checks)
echo "files: $n"
echo "scan CPU with checks:      ${with} s"
echo "scan CPU with --no-checks: ${without} s"
echo "checks per file:           $(echo "scale=3; ($with - $without) * 1000 / $n" | bc) ms"
