#!/bin/sh
# Electron asar archives end to end.
#  1. Oracle: the @electron/asar npm package (installed into the test
#     area when npm is there and the registry answers; skipped otherwise)
#     lists and extracts what tests/tools/mkasar writes, and vigil's asar
#     reader (mkasar --list) reads what `asar pack` writes, integrity
#     records included, with the SHA-256 of every file as sha256sum says.
#  2. Scan: `vigil scan --json --no-checks --iocs` with a test-only hash
#     IOC finds the member as x.asar!/dir/sub/payload.js. This needs the
#     unpacking engine: skipped while `vigil scan --help` does not mention
#     --no-archives.
. "$(dirname "$0")/lib/common.sh"
need sha256sum
MK="$VIGIL_TEST_BIN/mkasar"
[ -x "$MK" ] || { echo "skip: mkasar not built"; exit 77; }

S=$T/src
mkdir -p "$S/dir/sub" "$S/node_modules/x"
printf 'benign stand-in for a trojanized app script\n' >"$S/dir/sub/payload.js"
printf 'module.exports = 1\n' >"$S/node_modules/x/index.js"
printf '#!/bin/sh\n' >"$S/run.sh"
chmod +x "$S/run.sh"
printf 'native\n' >"$S/dir/native.node"
: >"$S/empty"
ln -s dir/sub/payload.js "$S/lnk"
"$MK" --integrity --block-size 16 --unpack dir/native.node "$T/x.asar" "$S" ||
	{ echo "mkasar failed"; exit 1; }

# the reader's own listing of mkasar's archive (types, sizes, SHA-256)
rc=0
"$MK" --list "$T/x.asar" >"$T/list" 2>&1 || rc=$?
check "mkasar --list exit" 0 "$rc"
h_payload=$(sha256sum <"$S/dir/sub/payload.js" | cut -d' ' -f1)
check "payload member as listed" "f 44 $h_payload dir/sub/payload.js" \
	"$(grep '^f .* dir/sub/payload.js$' "$T/list")"
check "unpacked member" "u 7 - dir/native.node" "$(grep native "$T/list")"
check "link member" "l 0 - lnk -> dir/sub/payload.js" "$(grep '^l ' "$T/list")"

skipped=0
ASAR=""
if command -v npm >/dev/null 2>&1; then
	N="${VIGIL_TEST_TMP:-$T}/npm-asar"
	if [ ! -x "$N/node_modules/.bin/asar" ]; then
		mkdir -p "$N"
		(cd "$N" && timeout 180 npm install --no-audit --no-fund --silent \
			@electron/asar >/dev/null 2>&1) || true
	fi
	[ -x "$N/node_modules/.bin/asar" ] && ASAR="$N/node_modules/.bin/asar"
fi
if [ -n "$ASAR" ]; then
	"$ASAR" list "$T/x.asar" | sed 's|^/||' | sort >"$T/npm_list"
	grep -v '^!' "$T/list" | sed 's/^. [0-9]* [-0-9a-f]* //; s/ -> .*//' | sort >"$T/our_list"
	check "asar list names what mkasar wrote" "$(cat "$T/our_list")" "$(cat "$T/npm_list")"
	rc=0
	"$ASAR" extract "$T/x.asar" "$T/extracted" >/dev/null 2>&1 || rc=$?
	check "asar extract exit" 0 "$rc"
	diff -r "$S" "$T/extracted" >"$T/diff" 2>&1 && ok "asar extract gives the source tree back" ||
		{ not_ok "asar extract gives the source tree back"; cat "$T/diff"; }

	# the other way: npm's writer (integrity always on), our reader
	dd if=/dev/zero bs=1024 count=4200 2>/dev/null | tr '\0' 'a' >"$S/big.bin"
	"$ASAR" pack --unpack '*.node' "$S" "$T/y.asar" >/dev/null 2>&1
	rc=0
	"$MK" --list "$T/y.asar" >"$T/ylist" 2>&1 || rc=$?
	check "reader lists asar pack's archive without complaint" 0 "$rc"
	want=$( (cd "$S" && find . -type f ! -name '*.node' | sed 's|^\./||' | sort |
		while read -r f; do echo "$(sha256sum <"$f" | cut -d' ' -f1) $f"; done))
	got=$(grep '^f ' "$T/ylist" | cut -d' ' -f3,4 | sort -k2)
	check "SHA-256 of every packed file as sha256sum says" "$want" "$got"
	check "integrity records present (4 MiB blocks)" 1 \
		"$(head -c 4096 "$T/y.asar" | grep -c '"blockSize":4194304')"
	# one flipped byte in the big file (the first in the data): the
	# integrity check says so, and the rest is still read
	cp "$T/y.asar" "$T/z.asar"
	printf 'b' | dd of="$T/z.asar" bs=1 seek=1000000 conv=notrunc 2>/dev/null
	rc=0
	"$MK" --list "$T/z.asar" >"$T/zlist" 2>&1 || rc=$?
	check "flipped byte: the listing fails" 1 "$rc"
	check "flipped byte: the other members still read" \
		"$(grep -v big.bin "$T/ylist")" "$(grep -v big.bin "$T/zlist")"
	check "flipped byte: integrity mismatch reported for that member" \
		"! - integrity mismatch: a block's SHA-256 differs from the header big.bin" \
		"$(grep '^!' "$T/zlist")"
else
	echo "skip: @electron/asar (npm) not available: oracle part skipped"
	skipped=$((skipped + 1))
fi

if "$VIGIL" scan --help 2>&1 | grep -q -- --no-archives; then
	need jq
	mkdir -p "$T/tree"
	cp "$T/x.asar" "$T/tree/x.asar"
	printf '%s;test-only asar member\n' "$h_payload" >"$T/iocs.txt"
	run_vigil scan --json --no-checks --no-builtin --iocs "$T/iocs.txt" "$T/tree"
	check "scan: exit 1" 1 "$rc"
	check "scan: hash finding on the member's path" "$T/tree/x.asar!/dir/sub/payload.js|hash" \
		"$(jq -r 'select(.type=="file") | . as $r | .findings[] | "\($r.path)|\(.kind)"' "$T/out")"
else
	echo "skip: vigil scan has no --no-archives yet: scan part skipped"
	skipped=$((skipped + 1))
fi
[ "$pass" -eq 0 ] && [ "$fails" -eq 0 ] && exit 77
finish
