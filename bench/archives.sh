#!/bin/sh
# Benchmark: vigil scan of archives against the decompress-and-hash floor.
# Archives: the largest .deb files in /var/cache/apt/archives (fetch some
# with `apt-get install --download-only PKG` first), and a zip, a 7z and a
# tar.zst made once from /usr/share/doc into $BENCH_DIR. For each archive:
#   vigil:  vigil scan --no-builtin --threads 1 ARCHIVE (three digests of
#           the archive and of every member at every level, structural
#           checks, nesting into data.tar.* of a .deb)
#   floor:  bsdtar -xOf ARCHIVE | sha256sum, and for a .deb also its
#           data.tar.* through bsdtar -xOf | sha256sum (the members' bytes
#           decompressed and hashed once, one digest)
# Median of ROUNDS (default 3) rotated rounds; prints wall seconds, the
# ratio vigil / floor, and the CPU seconds (user + system) of both. The floor's pipes use two processes, vigil one
# worker: on a 2-core machine the floor gets some parallelism vigil does
# not. Usage: bench/archives.sh [N_DEBS]   (default 3)
set -eu
cd "$(dirname "$0")/.."
NDEBS=${1:-3}
ROUNDS=${ROUNDS:-3}
DIR=${BENCH_DIR:-build/bench-archives}
VIGIL=${VIGIL:-./build/vigil}
[ -x "$VIGIL" ] || sh scripts/build.sh build >/dev/null
for t in bsdtar sha256sum zip 7z zstd; do
	command -v "$t" >/dev/null || { echo "bench: '$t' missing" >&2; exit 1; }
done
mkdir -p "$DIR"
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-archives.XXXXXX")
trap 'rm -rf "$W"' EXIT
. bench/lib.sh

SRC=/usr/share/doc
[ -s "$DIR/doc.zip" ] || (cd "$SRC/.." && zip -qr -y "$OLDPWD/$DIR/doc.zip" doc)
[ -s "$DIR/doc.7z" ] || (cd "$SRC/.." && 7z a -bd -bso0 -snl "$OLDPWD/$DIR/doc.7z" doc)
[ -s "$DIR/doc.tar.zst" ] || (cd "$SRC/.." && tar -cf - doc | zstd -q -o "$OLDPWD/$DIR/doc.tar.zst")
set --
for f in $(ls -S /var/cache/apt/archives/*.deb 2>/dev/null | head -n "$NDEBS"); do
	set -- "$@" "$f"
done
set -- "$@" "$DIR/doc.zip" "$DIR/doc.7z" "$DIR/doc.tar.zst"

floor_one() {
	bsdtar -xOf "$1" | sha256sum >/dev/null
	case $1 in
	*.deb)
		m=$(bsdtar -tf "$1" | grep '^data\.tar')
		bsdtar -xOf "$1" "$m" | bsdtar -xOf - | sha256sum >/dev/null
		;;
	esac
}

i=0
for a in "$@"; do
	i=$((i + 1))
	eval "run_vigil_$i() { bench_time vigil_$i \"$VIGIL\" scan --no-builtin --threads 1 \"$a\"; }"
	eval "run_floor_$i() { bench_time floor_$i floor_one \"$a\"; }"
	bench_rounds "$ROUNDS" "run_vigil_$i" "run_floor_$i"
	v=$(bench_median "vigil_$i")
	fl=$(bench_median "floor_$i")
	vc=$(bench_median "vigil_$i.cpu")
	fc=$(bench_median "floor_$i.cpu")
	mib=$(du -m "$a" | cut -f1)
	printf '%-44.44s %4s MiB  wall vigil %6.2f s floor %6.2f s ratio %.2f  cpu %6.2f / %6.2f s\n' \
		"$(basename "$a")" "$mib" "$v" "$fl" "$(awk -v a="$v" -v b="$fl" 'BEGIN { print a / b }')" "$vc" "$fc"
done
"$VIGIL" scan --no-builtin --threads 1 "$@" 2>/dev/null | grep -E '^(containers|errors|skipped)' || true
