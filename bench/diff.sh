#!/bin/sh
# Benchmark: vigil diff of two real releases of a large Debian package
# (default libreoffice-core 4:7.4.7-1+deb12u13 -> +deb12u14, a security
# update of bookworm, 32.6 MB each), in the same run as
#  (a) the floor: every member of both packages read once: `bsdtar -xOf
#      PKG data.tar.xz | bsdtar -xOf - | sha256sum` for each (decompress
#      the package, stream every member's bytes, digest them);
#  (b) the peer: diffoscope on the same pair (--text to a file, under
#      `timeout`, DIFFOSCOPE_TIMEOUT seconds, default 900; a run that hits
#      it is reported as at least that long);
# and prints the ratios: vigil / floor (target <= 2) and diffoscope /
# vigil (target >= 20). The page cache is warmed first. The two .debs are
# fetched once with `apt-get download PKG=VERSION` into BENCH_CACHE
# (default build/bench-cache). While vigil has no diff command its line
# says "vigil diff: not built" and only the floor and diffoscope run;
# DIFFOSCOPE=0 leaves diffoscope out (it takes minutes).
# Usage: bench/diff.sh [PKG OLDVERSION NEWVERSION]   ROUNDS=N (default 1)
set -eu
cd "$(dirname "$0")/.."
VIGIL=${VIGIL:-./build/vigil}
W=${BENCH_DIR:-build/bench-diff}
CACHE=${BENCH_CACHE:-build/bench-cache}
PKG=${1:-libreoffice-core}
OLDV=${2:-4:7.4.7-1+deb12u13}
NEWV=${3:-4:7.4.7-1+deb12u14}
[ -x "$VIGIL" ] || sh scripts/build.sh build >/dev/null
for t in bsdtar sha256sum apt-get; do
	command -v "$t" >/dev/null 2>&1 || { echo "bench: $t is not installed"; exit 77; }
done
mkdir -p "$W" "$CACHE"
rm -f "$W"/*.times
. bench/lib.sh

# the cached .deb of PKG at version $1 (apt-get download names the file
# with the epoch's colon escaped as %3a)
deb_of() {
	v=$(printf '%s' "$1" | sed 's/:/%3a/')
	f=$(ls "$CACHE/${PKG}_${v}_"*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$f" ]; then
		(cd "$CACHE" && apt-get download "$PKG=$1" >/dev/null 2>&1) ||
			{ echo "bench: cannot download $PKG=$1 (apt-cache madison $PKG)" >&2; exit 77; }
		f=$(ls "$CACHE/${PKG}_${v}_"*.deb | head -n 1)
	fi
	echo "$f"
}
OLD=$(deb_of "$OLDV")
NEW=$(deb_of "$NEWV")
member=$(bsdtar -tf "$OLD" | grep '^data\.tar' | head -n 1)
echo "bench: $PKG $OLDV -> $NEWV ($(du -k "$OLD" | cut -f1) KiB and $(du -k "$NEW" | cut -f1) KiB, $member)"

has_diff=0
"$VIGIL" diff --help >/dev/null 2>&1 && has_diff=1
has_diffoscope=0
if [ "${DIFFOSCOPE:-1}" != 0 ] && ! command -v diffoscope >/dev/null 2>&1 &&
	[ "$(id -u)" -eq 0 ]; then
	apt-get install -y -q --no-install-recommends diffoscope >/dev/null 2>&1 ||
		echo "diffoscope could not be installed: its line is left out"
fi
[ "${DIFFOSCOPE:-1}" = 0 ] || ! command -v diffoscope >/dev/null 2>&1 || has_diffoscope=1
TMO=${DIFFOSCOPE_TIMEOUT:-900}

floor_one() { bsdtar -xOf "$1" "$member" | bsdtar -xOf - | sha256sum >"$W/floor.$2"; }
run_floor() { floor_one "$OLD" old && floor_one "$NEW" new; }
run_vigil() { "$VIGIL" diff --json "$OLD" "$NEW" >"$W/vigil.json" 2>"$W/vigil.err" || true; }
run_diffoscope() {
	timeout "$TMO" diffoscope --text "$W/diffoscope.txt" "$OLD" "$NEW" >/dev/null 2>"$W/diffoscope.err" || true
}
t_floor() { bench_time floor run_floor; }
t_vigil() { [ "$has_diff" -eq 1 ] && bench_time vigil run_vigil || true; }
t_diffoscope() { [ "$has_diffoscope" -eq 1 ] && bench_time diffoscope run_diffoscope || true; }

cat "$OLD" "$NEW" >/dev/null # warm the page cache
run_floor                     # and the decompressor's code
bench_rounds "${ROUNDS:-1}" t_floor t_vigil t_diffoscope

# cpu_median NAME: the median CPU seconds of NAME's runs
cpu_median() { sort -n "$W/$1.cpu.times" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
floor=$(bench_median floor)
echo "floor (bsdtar -xOf | bsdtar -xOf - | sha256sum, both packages): ${floor} s (CPU $(cpu_median floor) s)"
if [ "$has_diff" -eq 1 ]; then
	vigil=$(bench_median vigil)
	echo "vigil diff --json: ${vigil} s (CPU $(cpu_median vigil) s), $(awk -v v="$vigil" -v f="$floor" 'BEGIN { printf "%.2f", v / f }')x the floor (target <= 2)"
	echo "  verdict $(jq -r .verdict "$W/vigil.json" 2>/dev/null), $(jq '[.components[] | select(.change != "unchanged")] | length' "$W/vigil.json" 2>/dev/null) components changed"
else
	echo "vigil diff: not built"
fi
if [ "$has_diffoscope" -eq 1 ]; then
	d=$(bench_median diffoscope)
	over=$(awk -v d="$d" -v t="$TMO" 'BEGIN { print (d >= t - 1) ? ">= " : "" }')
	echo "diffoscope $(diffoscope --version 2>/dev/null | head -n 1): ${over}${d} s (CPU $(cpu_median diffoscope) s), ${over}$(awk -v d="$d" -v f="$floor" 'BEGIN { printf "%.1f", d / f }')x the floor"
	[ -n "$over" ] && echo "  (stopped by the ${TMO} s timeout)"
	echo "  $(wc -l <"$W/diffoscope.txt" 2>/dev/null || echo 0) lines of diffoscope output"
	rm -f "$W/diffoscope.txt" # hundreds of MB
	if [ "$has_diff" -eq 1 ]; then
		echo "diffoscope / vigil: ${over}$(awk -v d="$d" -v v="$vigil" 'BEGIN { printf "%.1f", d / v }')x (target >= 20)"
	fi
elif [ "${DIFFOSCOPE:-1}" = 0 ]; then
	echo "diffoscope: left out (DIFFOSCOPE=0)"
else
	echo "diffoscope: not installed (apt-get install diffoscope)"
fi
