#!/bin/sh
# Text habits: --format lines (LEVEL<TAB>SCORE<TAB>ID<TAB>PATH per finding,
# the summary on standard error), -q (findings only, no summary), and IOC
# and rule text printed as written: a file-name IOC's backslashes are not
# doubled, while a path keeps its lossless escaping.
. "$(dirname "$0")/lib/common.sh"
need jq

D=$T/tree
mkdir -p "$D/drop dir"
printf 'text fixture marker\n' >"$D/drop dir/x.dll"
printf 'rule text_marker { meta: score = 60 strings: $a = "text fixture marker" condition: $a }\n' >"$T/r.yar"
printf '\\\\drop dir\\\\[^\\\\]+\\.dll$;65\n' >"$T/t-filename-iocs.txt"
S="--no-builtin --no-store --rules $T/r.yar --iocs $T/t-filename-iocs.txt"

run_vigil scan $S --format lines "$D"
check "lines: exit 1" 1 "$rc"
check "lines: one line per finding, tab-separated" \
	"$(printf 'warning\t65\t\\\\drop dir\\\\[^\\\\]+\\.dll$\t%s\nwarning\t60\ttext_marker\t%s' "$D/drop dir/x.dll" "$D/drop dir/x.dll")" \
	"$(sort -t '	' -k2,2nr "$T/out")"
check "lines: awk sees 4 fields" "4 4" "$(awk -F '\t' '{print NF}' "$T/out" | tr '\n' ' ' | sed 's/ $//')"
check "lines: summary on stderr" 1 "$(grep -c -- '--- summary ---' "$T/err")"
run_vigil scan $S --format lines -q "$D"
check "lines -q: no summary" 0 "$(grep -c -- 'summary' "$T/err" || true)"

run_vigil scan $S "$D"
check "text: the IOC as written, backslashes single" 1 \
	"$(grep -cF '[ 65] filename \\drop dir\\[^\\]+\.dll$' "$T/out")"
check "text: summary" 1 "$(grep -c -- '--- summary ---' "$T/out")"
run_vigil scan $S -q "$D"
check "-q: exit 1" 1 "$rc"
check "-q: no summary" 0 "$(grep -c -- 'summary\|files seen' "$T/out" || true)"
check "-q: the finding block" 1 "$(grep -c "^[a-z]* *score  *[0-9]*  $D/drop dir/x.dll\$" "$T/out")"
run_vigil scan $S --format yaml "$D"
check "--format yaml: exit 2" 2 "$rc"
run_vigil scan $S --format json "$D"
check "--format json is --json" summary "$(tail -n 1 "$T/out" | jq -r .type)"
finish
