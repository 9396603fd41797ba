#!/bin/sh
# A sparse member whose file ends in a hole (GNU tar --sparse writes no
# block for it): read as zeros up to its size, so its digest is the
# file's and it is not reported damaged.
. "$(dirname "$0")/lib/common.sh"
need tar
need jq
need sha256sum
mkdir -p "$T/src" "$T/tree"
printf 'sparse member head\n' >"$T/src/s.bin"
truncate -s 1M "$T/src/s.bin" || { echo "skip: truncate failed"; exit 77; }
(cd "$T/src" && tar --sparse --format=gnu -cf "$T/tree/s.tar" s.bin) ||
	{ echo "skip: tar --sparse failed"; exit 77; }
sha=$(sha256sum <"$T/src/s.bin" | cut -d' ' -f1)
printf '%s;the sparse file\n' "$sha" >"$T/hash-iocs.txt"
run_vigil scan --no-store --no-builtin --no-checks --json --iocs "$T/hash-iocs.txt" "$T/tree"
check "exit 1 on the member's hash" 1 "$rc"
check "the member's digest is the file's" "$T/tree/s.tar!/s.bin" \
	"$(jq -r 'select(.type == "file" and (.findings | length) > 0) | .path' <"$T/out")"
check "no damaged record" 0 \
	"$(jq -r 'select(.type == "summary") | .errors.damaged' <"$T/out")"
finish
