#!/bin/sh
# A compressed file of nothing (an empty file gzipped, bzip2ed, xz'd,
# zstd'd: Debian ships such man pages) is a container of one empty member,
# not a damaged archive: the member's digest is that of no bytes, so a
# hash IOC for the empty file finds it, and no error is counted.
. "$(dirname "$0")/lib/common.sh"
need jq
mkdir -p "$T/tree"
: >"$T/tree/empty"
n=0
for c in gzip bzip2 xz zstd; do
	if command -v "$c" >/dev/null 2>&1; then
		"$c" -q -c "$T/tree/empty" >"$T/tree/empty.$c"
		n=$((n + 1))
	fi
done
[ "$n" -gt 0 ] || { echo "skip: no compressor"; exit 77; }
rm "$T/tree/empty"
# SHA-256 of no bytes
printf 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855;empty\n' >"$T/hash-iocs.txt"
run_vigil scan --no-store --no-builtin --no-checks --json --iocs "$T/hash-iocs.txt" "$T/tree"
check "exit 1 (each empty member matched)" 1 "$rc"
check "no damaged record" 0 "$(jq -r 'select(.type == "summary") | .errors.damaged' <"$T/out")"
check "one container per file" "$n" "$(jq -r 'select(.type == "summary") | .containers' <"$T/out")"
check "one empty member each, matched" "$n" \
	"$(jq -s '[.[] | select(.type == "file" and (.path | contains("!/")) and .size == 0 and (.findings | length) == 1)] | length' <"$T/out")"
finish
