#!/bin/sh
# Benchmark: `vigil inspect --json` against the same work done by the
# single-purpose tools, in one run, on the same files:
#   every file: `md5sum`, `sha1sum`, `sha256sum`, and `strings -a -n 6` in
#               ASCII and in UTF-16LE (`-e l`) — vigil's digests and the
#               strings it searches for URLs, domains and addresses;
#   signed PEs: plus `osslsigncode verify` (Authenticode digest + PKCS#7);
#   ELF files:  plus `readelf -hlSdnW` (headers, segments, sections,
#               dynamic, notes).
# The peers do less (no entropy, no indicator extraction, no checks), so
# the ratio is an upper bound of vigil's cost.
# Usage: bench/inspect.sh [PE_DIR] [ELF_DIR]
#   PE_DIR defaults to the Debian EFI images the tests unpack
#   (build/tests/tmp/pe_debian, made by `ctest -R pe_debian`), ELF_DIR to
#   /usr/bin (its first 300 ELF files).
set -eu
cd "$(dirname "$0")/.."
PE_DIR=${1:-build/tests/tmp/pe_debian}
ELF_DIR=${2:-/usr/bin}
VIGIL=${VIGIL:-./build/vigil}
ROUNDS=${ROUNDS:-20}
[ -x "$VIGIL" ] || { echo "bench: build vigil first (sh scripts/build.sh build)" >&2; exit 2; }
for t in osslsigncode readelf; do
	command -v "$t" >/dev/null 2>&1 || { echo "bench: $t not installed" >&2; exit 2; }
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

find "$PE_DIR" -type f -name '*.efi.signed' >"$W/pe"
[ -s "$W/pe" ] || { echo "bench: no signed EFI images under $PE_DIR (run ctest -R pe_debian)" >&2; exit 2; }
find "$ELF_DIR" -maxdepth 1 -type f | while read -r f; do
	[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] && echo "$f"
done | head -300 >"$W/elf"
npe=$(wc -l <"$W/pe")
nelf=$(wc -l <"$W/elf")
# shellcheck disable=SC2046 # one argument per file of the lists (no spaces)
cat $(cat "$W/pe" "$W/elf") >/dev/null # warm the page cache

. bench/lib.sh
pe_vigil() { i=0; while [ $i -lt "$ROUNDS" ]; do i=$((i + 1)); xargs "$VIGIL" inspect --json <"$W/pe"; done; }
common() { # the digests and strings of the files listed in $1
	for tool in md5sum sha1sum sha256sum; do xargs "$tool" <"$1"; done
	xargs strings -a -n 6 <"$1"
	xargs strings -a -n 6 -e l <"$1"
}
pe_ossl() {
	i=0
	while [ $i -lt "$ROUNDS" ]; do
		i=$((i + 1))
		while read -r f; do osslsigncode verify -in "$f" || true; done <"$W/pe"
		common "$W/pe"
	done
}
elf_vigil() { xargs "$VIGIL" inspect --json <"$W/elf"; }
elf_readelf() { xargs readelf -hlSdnW <"$W/elf"; common "$W/elf"; }
bench_time pe_vigil pe_vigil
bench_time pe_ossl pe_ossl
bench_time elf_vigil elf_vigil
bench_time elf_readelf elf_readelf

awk -v npe="$npe" -v nelf="$nelf" -v rounds="$ROUNDS" \
    -v pv="$(bench_median pe_vigil)" -v po="$(bench_median pe_ossl)" \
    -v ev="$(bench_median elf_vigil)" -v er="$(bench_median elf_readelf)" 'BEGIN {
	printf "signed PEs: %d files x %d rounds\n", npe, rounds
	printf "  %-40s %7.2f s  %6.1f ms/file\n", "vigil inspect --json", pv, pv * 1000 / (npe * rounds)
	printf "  %-40s %7.2f s  %6.1f ms/file  (vigil %.2fx)\n", "osslsigncode verify + digests + strings", po, po * 1000 / (npe * rounds), pv / po
	printf "ELF files: %d\n", nelf
	printf "  %-40s %7.2f s  %6.2f ms/file\n", "vigil inspect --json", ev, ev * 1000 / nelf
	printf "  %-40s %7.2f s  %6.2f ms/file  (vigil %.2fx)\n", "readelf + digests + strings", er, er * 1000 / nelf, ev / er
}'
