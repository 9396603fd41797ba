#!/bin/sh
# Huge and sparse files: a 15 TiB sparse file (no data block) is not read
# (over --max-hash-size, default 4G): listed as hash-limit with its
# allocated size, its name still matched by file-name IOCs, the run quick;
# a 64 MiB sparse file with one data block in the middle is read without
# its holes (reported with -v), its digests those of the whole file, a
# YARA rule on the data still matching, read whole or streamed.
. "$(dirname "$0")/lib/common.sh"
need jq

D=$T/tree
mkdir -p "$D"
if ! truncate -s 15T "$D/huge.img" 2>/dev/null; then
	echo "skip: this file system refuses a 15 TiB sparse file"
	exit 77
fi
blocks=$(stat -c %b "$D/huge.img")
[ "$blocks" -lt 1024 ] || { echo "skip: truncate allocated blocks (no sparse files here)"; exit 77; }
printf '\\\\huge\\.img$;60\n' >"$T/test-filename-iocs.txt"

# 1. the 15 TiB file; timeout only guards against a hang (hashing 15 TiB
# of zeros takes hours)
rc=0
timeout 120 "$VIGIL" scan --no-builtin --json --iocs "$T/test-filename-iocs.txt" "$D" \
	>"$T/out" 2>"$T/err" || rc=$?
check "15T sparse: exit 1 (the file-name IOC)" 1 "$rc"
rec=$(jq -c --arg p "$D/huge.img" 'select(.type == "file" and .path == $p)' "$T/out")
check "15T sparse: skip hash-limit" hash-limit "$(printf '%s' "$rec" | jq -r .skip)"
check "15T sparse: detail names the limit and the allocation" \
	"16492674416640 bytes, over the hash limit of 4294967296; sparse: $((blocks * 512)) bytes allocated" \
	"$(printf '%s' "$rec" | jq -r .error_detail)"
check "15T sparse: not hashed" null "$(printf '%s' "$rec" | jq -r .sha256)"
check "15T sparse: its name still matched" 1 "$(printf '%s' "$rec" | jq '[.findings[] | select(.kind == "filename")] | length')"
check "15T sparse: nothing read" 0 "$(jq -r 'select(.type == "summary") | .bytes_read' "$T/out")"
check "15T sparse: counted" 1 "$(jq -r 'select(.type == "summary") | .skipped."hash-limit"' "$T/out")"
rm -f "$D/huge.img"

# text output: in the list of files not fully examined
printf 'plain\n' >"$D/plain.txt"
head -c 5000 /dev/zero | tr '\0' x >"$D/five-k.bin"
run_vigil scan --no-builtin --max-hash-size 4k "$D"
check "--max-hash-size 4k: exit 0" 0 "$rc"
check "--max-hash-size 4k: summary counts it" 1 "$(grep -c 'hash-limit 1' "$T/out" || true)"
run_vigil scan --no-builtin --max-hash-size 4x "$D"
check "--max-hash-size 4x: refused" 2 "$rc"
rm -f "$D/five-k.bin" "$D/plain.txt"

# 2. 64 MiB, holes around one data block at 32 MiB
truncate -s 64M "$D/holey.bin"
printf 'SPARSE_DATA_MARKER' | dd of="$D/holey.bin" bs=1 seek=33554432 conv=notrunc 2>/dev/null
sha=$(sha256sum <"$D/holey.bin" | cut -d' ' -f1)
cat >"$T/r.yar" <<'EOT'
rule sparse_marker { strings: $a = "SPARSE_DATA_MARKER" condition: $a at 33554432 }
EOT
for mode in whole streamed; do
	opt=
	[ $mode = streamed ] && opt="--max-size 1M"
	rc=0
	timeout 120 "$VIGIL" scan --no-builtin --no-rules-cache --json -v --rules "$T/r.yar" $opt "$D" \
		>"$T/out" 2>"$T/err" || rc=$?
	rec=$(jq -c --arg p "$D/holey.bin" 'select(.type == "file" and .path == $p)' "$T/out")
	check "64M sparse ($mode): the digest of the whole file" "$sha" "$(printf '%s' "$rec" | jq -r .sha256)"
	check "64M sparse ($mode): read, holes reported with -v" 1 \
		"$(grep -c "holey.bin: info: sparse file: [0-9]* of its 67108864 bytes are holes" "$T/err" || true)"
	if [ $mode = whole ]; then
		check "64M sparse (whole): the rule on the data block matches" sparse_marker \
			"$(printf '%s' "$rec" | jq -r '.findings[0].id')"
	else
		check "64M sparse (streamed): too-large" too-large "$(printf '%s' "$rec" | jq -r .skip)"
	fi
	holes=$(sed -n 's/.*sparse file: \([0-9]*\) of.*/\1/p' "$T/err")
	read_b=$(jq -r 'select(.type == "summary") | .bytes_read' "$T/out")
	check "64M sparse ($mode): bytes counted as read" 67108864 "$read_b"
	[ "${holes:-0}" -ge 60000000 ] && ok "64M sparse ($mode): most of it holes ($holes)" ||
		not_ok "64M sparse ($mode): holes $holes"
done
finish
