#!/bin/sh
# Benchmark: vigil's sweep throughput against the hardware limit measured
# in the same run. The limit is what OpenSSL itself reaches computing MD5,
# SHA-1 and SHA-256 of every byte on all cores (`openssl speed -evp ALG
# -multi N` on 64 KiB blocks): a sweep that must produce the three digests
# of every file can go no faster, whatever else it does. Printed: the
# digest-only sweep (`vigil scan --no-builtin --no-checks`) and the default
# sweep (built-in content, checks on) in MB/s and as a percentage of it.
#
# Each measurement runs REPEAT times (default 5), all of them interleaved,
# each round in a rotated order, so that load from elsewhere hits them
# alike; medians are printed, and the spread (min-max) of the sweeps so
# that the reader can see how noisy the machine was.
# Usage: bench/throughput.sh [TREE]   (default /usr/lib/x86_64-linux-gnu;
#   at least 1 GB of regular files, symlinks not followed, as vigil reads)
#   REPEAT=n, SECONDS_PER_DIGEST=n (openssl speed -seconds, default 3),
#   VIGIL=path (default ./build/vigil)
set -eu
cd "$(dirname "$0")/.."
TREE=${1:-/usr/lib/x86_64-linux-gnu}
REPEAT=${REPEAT:-5}
SECS=${SECONDS_PER_DIGEST:-3}
THREADS=$(getconf _NPROCESSORS_ONLN)
VIGIL=${VIGIL:-./build/vigil}
[ -x "$VIGIL" ] || sh scripts/build.sh build >/dev/null
[ -d "$TREE" ] || { echo "bench: no tree at $TREE" >&2; exit 2; }
command -v openssl >/dev/null || { echo "bench: openssl not found" >&2; exit 2; }

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export VIGIL_CACHE_DIR="$W/cache"
. bench/lib.sh

# the bytes vigil reads: regular files, symlinks not followed; reading them
# also warms the page cache
find "$TREE" -type f -print0 >"$W/list"
nfiles=$(tr -cd '\0' <"$W/list" | wc -c)
bytes=$(xargs -0 cat <"$W/list" | wc -c)
xargs -0 cat <"$W/list" >/dev/null
[ "$bytes" -ge 1000000000 ] ||
	echo "bench: warning: $TREE holds only $bytes bytes (under 1 GB): start-up weighs more" >&2

# openssl speed ALG: append the all-core rate in bytes/s to $W/ALG.times.
# With -mr the parent prints one line `+F:<n>:<alg>:<bytes per second>`
# per block size, the sum over its children (theirs come prefixed with
# "Got: "); without -multi (one core) the only such line is the process's.
speed() {
	alg=$1
	multi=
	[ "$THREADS" -gt 1 ] && multi="-multi $THREADS"
	# shellcheck disable=SC2086
	openssl speed -mr -seconds "$SECS" -bytes 65536 $multi -evp "$alg" \
		>"$W/speed.out" 2>/dev/null || true
	rate=$(awk -F: -v a="$alg" '$1 == "+F" && $3 == a && $4 + 0 > 0 { r = $4 } END { if (r) print r }' "$W/speed.out")
	[ -n "$rate" ] || {
		echo "bench: cannot read the rate of $alg from 'openssl speed -mr':" >&2
		cat "$W/speed.out" >&2
		exit 2
	}
	echo "$rate" >>"$W/$alg.times"
}

"$VIGIL" scan --threads "$THREADS" /dev/null >/dev/null 2>&1 || true # prime the rules cache
run_md5() { speed md5; }
run_sha1() { speed sha1; }
run_sha256() { speed sha256; }
run_digests() { bench_time digests "$VIGIL" scan --no-builtin --no-checks --threads "$THREADS" "$TREE"; }
run_default() { bench_time default "$VIGIL" scan --threads "$THREADS" "$TREE"; }
bench_rounds "$REPEAT" run_md5 run_digests run_sha1 run_default run_sha256
r() { bench_median "$1"; }
lo() { sort -n "$W/$1.times" | head -1; }
hi() { sort -n "$W/$1.times" | tail -1; }
awk -v tree="$TREE" -v files="$nfiles" -v bytes="$bytes" -v thr="$THREADS" -v rep="$REPEAT" \
    -v md5="$(r md5)" -v sha1="$(r sha1)" -v sha256="$(r sha256)" \
    -v d="$(r digests)" -v dlo="$(lo digests)" -v dhi="$(hi digests)" -v D="$(r digests.cpu)" \
    -v f="$(r default)" -v flo="$(lo default)" -v fhi="$(hi default)" -v F="$(r default.cpu)" 'BEGIN {
	# every byte goes through all three digests: their times per byte add up
	limit = 1 / (1 / md5 + 1 / sha1 + 1 / sha256)
	printf "tree %s: %d files, %.0f MB (%.2f GiB), %d threads, median of %d runs\n", tree, files, bytes / 1e6, bytes / 2^30, thr, rep
	printf "openssl speed, 64 KiB blocks, %d processes: MD5 %.0f MB/s, SHA-1 %.0f MB/s, SHA-256 %.0f MB/s\n", thr, md5 / 1e6, sha1 / 1e6, sha256 / 1e6
	printf "limit (all three digests of every byte on all cores): %.0f MB/s\n", limit / 1e6
	printf "%-46s %7s %9s %9s %9s\n", "", "wall", "range", "CPU", "MB/s"
	printf "%-46s %6.2fs %4.2f-%4.2f %8.2fs %9.0f  %.0f%% of the limit\n", "vigil scan --no-builtin --no-checks (digests)", d, dlo, dhi, D, bytes / d / 1e6, bytes / d / limit * 100
	printf "%-46s %6.2fs %4.2f-%4.2f %8.2fs %9.0f  %.0f%% of the limit\n", "vigil scan (built-in content, checks)", f, flo, fhi, F, bytes / f / 1e6, bytes / f / limit * 100
}'
