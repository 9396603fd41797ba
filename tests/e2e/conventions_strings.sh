#!/bin/sh
# --strings (-s) adds the matched YARA strings to YARA findings, like
# `yara -s`: offset, identifier and the bytes matched (escaped), at most
# 16 matches per string and 64 bytes of each (JSON "length" is the whole
# match's). The text lines are those `yara -s` prints, when yara is there.
. "$(dirname "$0")/lib/common.sh"
need jq

D=$T/tree
mkdir -p "$D"
{
	printf 'head strings-marker mid strings-marker\n'
	i=0
	while [ $i -lt 20 ]; do printf 'rep-%02d ' $i; i=$((i + 1)); done
	printf '\nLONG'
	i=0
	while [ $i -lt 100 ]; do printf 'x'; i=$((i + 1)); done
	printf '\n'
} >"$D/f.txt"
cat >"$T/r.yar" <<'EOT'
rule strings_rule {
  strings:
    $m = "strings-marker"
    $r = /rep-[0-9][0-9]/
    $l = /LONGx+/
  condition:
    $m and $r and $l
}
EOT
S="--no-builtin --no-store --rules $T/r.yar"

run_vigil scan $S --json --strings "$D/f.txt"
check "exit 1" 1 "$rc"
q() { jq -r "select(.type==\"file\") | .findings[0].strings | $1" "$T/out"; }
check "two matches of \$m with offsets" "5 \$m strings-marker,24 \$m strings-marker" \
	"$(q 'map(select(.id=="$m")) | map("\(.offset) \(.id) \(.data)") | join(",")')"
check "at most 16 matches of a string" 16 "$(q 'map(select(.id=="$r")) | length')"
check "64 bytes of a long match, its whole length" "64 104" \
	"$(q 'map(select(.id=="$l"))[0] | "\(.data | length) \(.length)"')"
run_vigil scan $S --json "$D/f.txt"
check "without --strings: no strings" null \
	"$(jq -c 'select(.type=="file") | .findings[0].strings' "$T/out")"

run_vigil scan $S -s "$D/f.txt"
grep '^        0x' "$T/out" | sed 's/^ *//' >"$T/ours"
check "text: OFFSET:ID: DATA lines" "0x5:\$m: strings-marker" "$(head -n 1 "$T/ours")"
if command -v yara >/dev/null 2>&1; then
	yara -s "$T/r.yar" "$D/f.txt" | grep '^0x' | grep -v '\$l' | sort >"$T/yara"
	grep -v '\$l' "$T/ours" | sort >"$T/ours2"
	# yara lists every match; vigil the first 16 of each string
	check "text: the lines of yara -s (16 of \$r)" \
		"$(grep -c . "$T/ours2")" "$(grep -v 'rep-1[6-9]' "$T/yara" | grep -c .)"
	check "text: the same lines as yara -s" "" \
		"$(grep -v 'rep-1[6-9]' "$T/yara" | diff - "$T/ours2")"
else
	echo "note: yara not installed, the comparison with yara -s is left out"
fi
finish
