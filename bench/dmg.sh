#!/bin/sh
# Benchmark: reading every member of a DMG with vigil's readers
# (tests/tools/dmgls: UDIF chunks decompressed on demand through the chunk
# cache, the HFS+ volume's files read through its B-trees, SHA-256 of each
# member) against dmg2img converting the same image to a raw disk plus
# sha256sum of that disk, in one run. The image is mkdmg's 3CX look-alike
# with a SIZE MiB file of pseudo-random bytes added, 2048-sector (1 MiB)
# zlib chunks as hdiutil writes them.
# Usage: bench/dmg.sh [SIZE_MIB]   (ROUNDS, default 5)
set -eu
cd "$(dirname "$0")/.."
SIZE=${1:-256}
ROUNDS=${ROUNDS:-5}
B=${B:-./build/tests}
[ -x "$B/dmgls" ] && [ -x "$B/mkdmg" ] ||
	{ echo "bench: build first (sh scripts/build.sh build)" >&2; exit 2; }
command -v dmg2img >/dev/null 2>&1 || { echo "bench: dmg2img not installed" >&2; exit 2; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# hex text of random bytes: compresses about 2:1, like much of a real image
head -c $((SIZE * 1024 * 1024 / 2)) /dev/urandom | od -An -tx1 -v |
	head -c $((SIZE * 1024 * 1024)) >"$W/big.bin"
"$B/mkdmg" --chunk 2048 --file "big.bin=$W/big.bin" "$W/x.dmg"
rm -f "$W/big.bin"
ls -l "$W/x.dmg" | awk '{ printf "image: %.1f MiB\n", $5 / 1048576 }'
cat "$W/x.dmg" >/dev/null # warm the page cache

. bench/lib.sh
vigil_read() { bench_time vigil "$B/dmgls" "$W/x.dmg"; }
peer() { bench_time peer sh -c 'dmg2img "$1" "$2" && sha256sum "$2"' sh "$W/x.dmg" "$W/out.img"; rm -f "$W/out.img"; }
bench_rounds "$ROUNDS" vigil_read peer
v=$(bench_median vigil)
p=$(bench_median peer)
vc=$(bench_median vigil.cpu)
pc=$(bench_median peer.cpu)
echo "dmgls (vigil readers): $v s wall, $vc s CPU (medians of $ROUNDS)"
echo "dmg2img + sha256sum:   $p s wall, $pc s CPU"
awk -v v="$v" -v p="$p" -v vc="$vc" -v pc="$pc" \
	'BEGIN { printf "ratio vigil/peer: %.2fx wall, %.2fx CPU\n", v / p, vc / pc }'
