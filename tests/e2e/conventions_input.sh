#!/bin/sh
# `vigil scan -` sweeps standard input as one file named "-" (exit 1 on a
# hit, 0 when clean, 2 when it is larger than --max-size), and
# --scan-list/--scan-list0 sweep the paths of a list (a file or standard
# input), also names with spaces and, NUL-separated, newlines.
. "$(dirname "$0")/lib/common.sh"
need jq

D=$T/tree
mkdir -p "$D"
printf 'input fixture marker\n' >"$D/hit one.bin"
cp "$D/hit one.bin" "$D/two
lines.bin"
printf 'plain\n' >"$D/plain.txt"
printf 'plain\n' >"$D/unlisted.bin"
cp "$D/hit one.bin" "$D/unlisted-hit.bin"
printf 'rule input_marker { strings: $a = "input fixture marker" condition: $a }\n' >"$T/r.yar"
S="--no-builtin --no-store --rules $T/r.yar"

rc=0; "$VIGIL" scan $S --json - <"$D/hit one.bin" >"$T/out" 2>"$T/err" || rc=$?
check "stdin hit: exit 1" 1 "$rc"
check "stdin hit: path '-' and the rule" "-|input_marker" \
	"$(jq -r 'select(.type=="file") | "\(.path)|\(.findings[0].id)"' "$T/out")"
check "stdin hit: digests of the bytes" "$(sha256sum <"$D/hit one.bin" | cut -d' ' -f1)" \
	"$(jq -r 'select(.type=="file") | .sha256' "$T/out")"
check "stdin: counted as a file read" "1 1" \
	"$(jq -r 'select(.type=="summary") | "\(.files_seen) \(.hits)"' "$T/out")"
check "stdin: not reported vanished" 0 "$(jq -r 'select(.type=="summary") | .errors.vanished' "$T/out")"
rc=0; "$VIGIL" scan $S - <"$D/plain.txt" >"$T/out" 2>"$T/err" || rc=$?
check "stdin clean: exit 0" 0 "$rc"
rc=0; "$VIGIL" scan $S --max-size 4 - <"$D/plain.txt" >"$T/out" 2>"$T/err" || rc=$?
check "stdin larger than --max-size: exit 2" 2 "$rc"
check "stdin larger than --max-size: said" 1 "$(grep -c 'standard input is larger than --max-size' "$T/err")"
rc=0; printf '%s\n' "$D/plain.txt" | "$VIGIL" scan $S --scan-list - - >"$T/out" 2>"$T/err" || rc=$?
check "'-' and --scan-list - together: exit 2" 2 "$rc"

printf '%s\n%s\n\n' "$D/hit one.bin" "$D/plain.txt" >"$T/list"
run_vigil scan $S --json --scan-list "$T/list"
check "--scan-list: exit 1" 1 "$rc"
check "--scan-list: the listed hit, not the unlisted one" "$D/hit one.bin" \
	"$(jq -r 'select(.type=="file") | .path' "$T/out")"
check "--scan-list: only the listed files seen" 2 "$(jq -r 'select(.type=="summary") | .files_seen' "$T/out")"
rc=0; "$VIGIL" scan $S --json --scan-list - <"$T/list" >"$T/out" 2>"$T/err" || rc=$?
check "--scan-list -: from standard input" 2 "$(jq -r 'select(.type=="summary") | .files_seen' "$T/out")"
printf '%s\0%s\0' "$D/two
lines.bin" "$D/plain.txt" >"$T/list0"
run_vigil scan $S --json --scan-list0 "$T/list0"
check "--scan-list0: a name with a newline" "$D/two
lines.bin" "$(jq -r 'select(.type=="file") | .path' "$T/out")"
: >"$T/empty"
run_vigil scan $S --json --scan-list "$T/empty"
check "an empty list sweeps nothing (not the default roots)" "0 0" \
	"$(jq -r 'select(.type=="summary") | "\(.files_seen) \(.dirs_seen)"' "$T/out")"
run_vigil scan $S --scan-list "$T/missing-list"
check "a missing list: exit 2" 2 "$rc"
finish
