#!/bin/sh
# vigil scan looks inside a macOS disk image: a UDIF image (zlib, raw and
# zero chunks) holding an HFS+ volume whose app bundle carries a benign
# libffmpeg.dylib look-alike, fragmented into more than 8 extents; a hash
# IOC of that file's bytes gives a hash finding on the member path
# "x.dmg!/...libffmpeg.dylib" (exit 1). Needs the unpacking engine: skipped
# (77) while `vigil scan --help` does not mention --no-archives.
. "$(dirname "$0")/lib/common.sh"
need sha256sum
need jq
"$VIGIL" scan --help 2>&1 | grep -q -- '--no-archives' ||
	{ echo "skip: vigil scan does not open archives yet"; exit 77; }

printf 'benign libffmpeg.dylib look-alike for the DMG test\n' >"$T/ffmpeg"
h=$(sha256sum <"$T/ffmpeg" | cut -d' ' -f1)
"$VIGIL_TEST_BIN/mkdmg" \
	--file "3CX Desktop App.app/Contents/Frameworks/libffmpeg.dylib=$T/ffmpeg" \
	"$T/x.dmg"
printf '%s;test-only libffmpeg look-alike\n' "$h" >"$T/iocs.txt"
run_vigil scan --no-builtin --json --no-checks --iocs "$T/iocs.txt" "$T/x.dmg"
check "exit 1 on a hash finding inside the image" 1 "$rc"
hits=$(jq -r 'select(.path != null) | select(any(.findings[]?; .kind == "hash")) | .path' \
	"$T/out" | grep -c 'x\.dmg!/*3CX Desktop App\.app/Contents/Frameworks/libffmpeg\.dylib$' || true)
check "hash finding on the dylib inside the DMG" 1 "$hits"
finish
