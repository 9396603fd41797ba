#!/bin/sh
# A genuine signed PE whose SizeOfHeaders runs past the first section's raw
# offset (UPX-packed files are laid out so): the header range and the first
# section overlap. The mingw DLL of pe_fixtures.sh gets SizeOfHeaders raised
# from 0x400 to 0x600 (its .text starts at 0x400) and is signed with
# osslsigncode; osslsigncode verify accepts it, and vigil must compute the
# same digest (each byte hashed once): digest_match true, no finding.
. "$(dirname "$0")/lib/common.sh"
need jq
. "$(dirname "$0")/lib/pe_fixtures.sh"
S=$T/sign
build_signed_pe "$S" >/dev/null
cp "$S/tiny.dll" "$T/big.dll"
lfanew=$(od -An -tu4 -j60 -N4 "$T/big.dll" | tr -d ' ')
off=$((lfanew + 24 + 60)) # SizeOfHeaders in the optional header
check "SizeOfHeaders was 0x400" "00000400" "$(od -An -tx4 -j$off -N4 "$T/big.dll" | tr -d ' ')"
printf '\000\006\000\000' | dd of="$T/big.dll" bs=1 seek=$off conv=notrunc 2>/dev/null
osslsigncode sign -certs "$S/leaf.pem" -key "$S/leaf.key" -h sha256 \
	-in "$T/big.dll" -out "$T/bigs.dll" >/dev/null || { echo "cannot sign"; exit 1; }
osslsigncode verify -CAfile "$S/ca.pem" -in "$T/bigs.dll" >"$T/ov" 2>&1
want=$(sed -n 's/^Calculated message digest *: *\([0-9A-F]*\).*/\1/p' "$T/ov" | head -1 | tr A-F a-f)
[ -n "$want" ] && grep -q Succeeded "$T/ov" && ok "osslsigncode verify accepts the file" ||
	not_ok "osslsigncode verify accepts the file"

run_vigil inspect --json --ca-file "$S/ca.pem" "$T/bigs.dll"
check "inspect exit 0" 0 "$rc"
check "digest as osslsigncode computes it" "$want" \
	"$(jq -r '.. | objects | select(has("image_digest")) | .image_digest' "$T/out" | head -1)"
check "digest matches" true \
	"$(jq -r '.. | objects | select(has("digest_match")) | .digest_match' "$T/out" | head -1)"
check "no finding" 0 "$(jq '.findings | length' "$T/out")"
run_vigil scan --no-builtin --json "$T/bigs.dll"
check "scan exit 0" 0 "$rc"
check "scan: no VGL finding" "" \
	"$(jq -r 'select(.type=="file") | .findings[]? | .id' "$T/out")"
finish
