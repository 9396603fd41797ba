#!/bin/sh
# VGL-ELF-APPENDED end to end: a program compiled here is clean; a copy with
# 4 KiB of random bytes appended is reported (score 45, exit status 1); a
# copy with zero padding appended is not; a truncated copy is not either.
. "$(dirname "$0")/lib/common.sh"
need jq
CC=${CC:-cc}
need "$CC"

D=$T/tree
mkdir -p "$D"
printf 'int main(void) { return 0; }\n' >"$T/p.c"
"$CC" -o "$D/clean" "$T/p.c" || { echo "skip: '$CC' cannot build a program"; exit 77; }
cp "$D/clean" "$D/appended"
head -c 4096 /dev/urandom >>"$D/appended"
cp "$D/clean" "$D/padded"
head -c 16 /dev/zero >>"$D/padded"
size=$(wc -c <"$D/clean")
head -c $((size - 100)) "$D/clean" >"$D/truncated"

run_vigil scan --no-builtin --json "$D"
check "exit status 1: a finding over the default threshold" 1 "$rc"
check "only the appended copy is reported" "appended VGL-ELF-APPENDED tamper 45" \
	"$(jq -r 'select(.type=="file") | (.path|sub(".*/";"")) + " " +
		([.findings[] | .id + " " + .kind + " " + (.score|tostring)] | join(" "))' "$T/out")"
check "the message gives size and offset" 1 \
	"$(jq -r 'select(.type=="file") | .findings[0].message' "$T/out" |
		grep -c "^4096 bytes appended after the end of the ELF data at offset $(printf '0x%x' "$size"), entropy 7\.[0-9][0-9] bits/byte$")"

run_vigil scan --no-builtin --json "$D/clean" "$D/padded"
check "clean and zero-padded: exit status 0" 0 "$rc"

run_vigil scan --no-builtin --no-checks --json "$D/appended"
check "--no-checks silences it" 0 "$rc"
finish
