#!/bin/sh
# Benchmark: vigil's sweep throughput against the hardware limit measured
# in the same run. The limit is what OpenSSL itself reaches computing MD5,
# SHA-1 and SHA-256 of every byte on all cores (`openssl speed -evp ALG
# -multi N` on 64 KiB blocks): a sweep that must produce the three digests
# of every file can go no faster, whatever else it does. Printed: the
# digest-only sweep (`vigil scan --no-builtin --no-checks`) and the default
# sweep (built-in content, checks on) in MB/s and as a percentage of it.
#
# The machine is shared, and its load changes from second to second: the
# limit is measured again right before and after each sweep (a few
# seconds of openssl speed), and each sweep is taken as a percentage of
# the mean of the two limits beside it. REPEAT rounds (default 5), the
# two sweeps' order swapped from round to round; printed are the medians
# of the per-round percentages, and their range (min-max) so that the
# reader can see how noisy the machine was.
# Usage: bench/throughput.sh [TREE]   (default /usr/lib/x86_64-linux-gnu;
#   at least 1 GB of regular files, symlinks not followed, as vigil reads)
#   REPEAT=n, SECONDS_PER_DIGEST=n (openssl speed -seconds, default 1),
#   VIGIL=path (default ./build/vigil)
set -eu
cd "$(dirname "$0")/.."
TREE=${1:-/usr/lib/x86_64-linux-gnu}
REPEAT=${REPEAT:-5}
SECS=${SECONDS_PER_DIGEST:-1}
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

# speed ALG: print the all-core rate in bytes/s of `openssl speed`. With
# -mr the parent prints one line `+F:<n>:<alg>:<bytes per second>` per
# block size, the sum over its children (theirs come prefixed with
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
	echo "$alg $rate" >>"$W/rates"
	echo "$rate"
}

# limit: the bytes/s of all three digests of every byte on all cores
# (their times per byte add up); appended to $W/limit.times
limit() {
	m=$(speed md5)
	s1=$(speed sha1)
	s2=$(speed sha256)
	awk -v a="$m" -v b="$s1" -v c="$s2" 'BEGIN { print 1 / (1 / a + 1 / b + 1 / c) }' | tee -a "$W/limit.times"
}

"$VIGIL" scan --threads "$THREADS" /dev/null >/dev/null 2>&1 || true # prime the rules cache
digests() { bench_time digests "$VIGIL" scan --no-builtin --no-checks --threads "$THREADS" "$TREE"; }
default() { bench_time default "$VIGIL" scan --threads "$THREADS" "$TREE"; }
# pct NAME LIMIT_BEFORE LIMIT_AFTER: the last sweep of NAME in per cent of
# the mean limit around it
pct() {
	awk -v b="$bytes" -v t="$(tail -1 "$W/$1.times")" -v l1="$2" -v l2="$3" \
		'BEGIN { print b / t / ((l1 + l2) / 2) * 100 }' >>"$W/$1.pct.times"
}

i=0
while [ "$i" -lt "$REPEAT" ]; do
	if [ $((i % 2)) -eq 0 ]; then first=digests second=default; else first=default second=digests; fi
	l1=$(limit)
	$first
	l2=$(limit)
	$second
	l3=$(limit)
	pct $first "$l1" "$l2"
	pct $second "$l2" "$l3"
	i=$((i + 1))
done
r() { bench_median "$1"; }
lo() { sort -n "$W/$1.times" | head -1; }
hi() { sort -n "$W/$1.times" | tail -1; }
for a in md5 sha1 sha256; do
	awk -v a="$a" '$1 == a { print $2 }' "$W/rates" >"$W/$a.times"
done
awk -v tree="$TREE" -v files="$nfiles" -v bytes="$bytes" -v thr="$THREADS" -v rep="$REPEAT" \
    -v md5="$(r md5)" -v sha1="$(r sha1)" -v sha256="$(r sha256)" \
    -v limit="$(r limit)" -v llo="$(lo limit)" -v lhi="$(hi limit)" \
    -v d="$(r digests)" -v D="$(r digests.cpu)" -v dp="$(r digests.pct)" -v dplo="$(lo digests.pct)" -v dphi="$(hi digests.pct)" \
    -v f="$(r default)" -v F="$(r default.cpu)" -v fp="$(r default.pct)" -v fplo="$(lo default.pct)" -v fphi="$(hi default.pct)" 'BEGIN {
	printf "tree %s: %d files, %.0f MB (%.2f GiB), %d threads, %d rounds\n", tree, files, bytes / 1e6, bytes / 2^30, thr, rep
	printf "openssl speed, 64 KiB blocks, %d processes (medians): MD5 %.0f MB/s, SHA-1 %.0f MB/s, SHA-256 %.0f MB/s\n", thr, md5 / 1e6, sha1 / 1e6, sha256 / 1e6
	printf "limit (all three digests of every byte on all cores): median %.0f MB/s, range %.0f-%.0f\n", limit / 1e6, llo / 1e6, lhi / 1e6
	printf "%-46s %7s %8s %8s  %s\n", "", "wall", "CPU", "MB/s", "of the limit beside it"
	printf "%-46s %6.2fs %7.2fs %8.0f  %3.0f%% (range %3.0f-%3.0f%%)\n", "vigil scan --no-builtin --no-checks (digests)", d, D, bytes / d / 1e6, dp, dplo, dphi
	printf "%-46s %6.2fs %7.2fs %8.0f  %3.0f%% (range %3.0f-%3.0f%%)\n", "vigil scan (built-in content, checks)", f, F, bytes / f / 1e6, fp, fplo, fphi
}'
