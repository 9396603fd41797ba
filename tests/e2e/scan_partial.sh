#!/bin/sh
# Files not fully examined are visible: the default text output lists the
# first 20 (then says how many more and that -v lists them); a YARA string
# with too many matches makes the file partially examined naming the rule,
# the other rules' results kept; a file-name regex that hits PCRE2's match
# limit is an error naming the IOC, not "no match"; a file 3,000
# directories deep (a path far over PATH_MAX) is examined.
. "$(dirname "$0")/lib/common.sh"
need jq

D=$T/tree
mkdir -p "$D/many" "$D/rx"

# 1. YARA: 3 MB of 'A' gives "AA" 3 million matches (YARA keeps at most a
# million per string); the marker rule must still be reported
head -c 3000000 /dev/zero | tr '\0' A >"$D/many/flood.bin"
printf 'MARKER_OF_THE_TEST' >>"$D/many/flood.bin"
cat >"$T/r.yar" <<'EOT'
rule flood_rule { strings: $aa = "AA" condition: #aa > 10 }
rule marker_rule { strings: $m = "MARKER_OF_THE_TEST" condition: $m }
EOT
rc=0
"$VIGIL" scan --no-builtin --no-rules-cache --json --rules "$T/r.yar" "$D/many" >"$T/out" 2>"$T/err" || rc=$?
rec=$(jq -c 'select(.type == "file")' "$T/out")
check "too many matches: both rules reported" "flood_rule marker_rule" \
	"$(printf '%s' "$rec" | jq -r '[.findings[].id] | sort | join(" ")')"
check "too many matches: partially examined (error yara)" yara "$(printf '%s' "$rec" | jq -r .error)"
check "too many matches: the rule and string named" \
	"YARA rule flood_rule ($T/r.yar): too many matches of \$aa, the rule's result may be incomplete" \
	"$(printf '%s' "$rec" | jq -r .error_detail)"
check "too many matches: counted" 1 "$(jq -r 'select(.type == "summary") | .errors.yara' "$T/out")"

# 2. a file-name regex with catastrophic backtracking on this name
name=$(printf 'x%.0s' $(seq 1 40))z_y
: >"$D/rx/$name"
printf '(x+x+)+y;60\n' >"$T/test-filename-iocs.txt"
run_vigil scan --no-builtin --json --iocs "$T/test-filename-iocs.txt" "$D/rx"
rec=$(jq -c 'select(.type == "file")' "$T/out")
check "match limit: an error, not a clean file" regex "$(printf '%s' "$rec" | jq -r .error)"
check "match limit: the IOC named" \
	"file-name IOC (x+x+)+y ($T/test-filename-iocs.txt:1) could not be run to the end on the path: match limit exceeded" \
	"$(printf '%s' "$rec" | jq -r .error_detail)"
check "match limit: counted" 1 "$(jq -r 'select(.type == "summary") | .errors.regex' "$T/out")"
run_vigil scan --no-builtin --iocs "$T/test-filename-iocs.txt" "$D/rx"
check "match limit: in the text output without -v" 1 \
	"$(grep -c "^  error    $D/rx/$name: regex: file-name IOC" "$T/out" || true)"

# 3. the text output lists the first 20 files not fully examined
mkdir "$D/big"
for i in $(seq 1 25); do printf 'more than one byte %s\n' "$i" >"$D/big/f$i"; done
run_vigil scan --no-builtin --no-checks --max-size 1 "$D/big"
check "text: exit 0" 0 "$rc"
check "text: a section for them" 1 "$(grep -c '^not fully examined:$' "$T/out" || true)"
check "text: 20 listed" 20 "$(grep -c "^  skipped  $D/big/f[0-9]*: too-large\$" "$T/out" || true)"
check "text: the rest counted, and how to list them" 1 \
	"$(grep -c '^  \.\.\. and 5 more (-v lists every one)$' "$T/out" || true)"
check "text: summary line" 1 \
	"$(grep -c '^not fully examined: 25 files (the first listed above, -v lists every one)$' "$T/out" || true)"
run_vigil scan --no-builtin --no-checks --max-size 1 -v "$D/big"
check "-v: every one listed" 25 "$(grep -c "^skipped  $D/big/f[0-9]*: too-large\$" "$T/out" || true)"
run_vigil scan --no-builtin --no-checks "$D/big"
check "all examined: no such section" 0 "$(grep -c 'not fully examined' "$T/out" || true)"
# a file with a finding that was not fully examined says so in its block
printf '%s;big test hash\n' "$(sha256sum <"$D/big/f1" | cut -d' ' -f1)" >"$T/big-hash-iocs.txt"
run_vigil scan --no-builtin --no-checks --max-size 1 --iocs "$T/big-hash-iocs.txt" "$D/big"
check "a hit too large for YARA: noted in its block" 1 "$(grep -c '^  note: too-large$' "$T/out" || true)"
check "a hit too large for YARA: counted" 1 \
	"$(grep -c '^not fully examined: 25 files' "$T/out" || true)"

# 4. 3,000 levels deep: one descriptor per level is held on the way down
# shellcheck disable=SC3045 # dash, bash and the BSD sh all have ulimit -H
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt 3200 ]; then
	echo "skip: deep tree (the hard descriptor limit $hard is below 3,200)"
else
	mkdir "$T/deep"
	"$VIGIL_TEST_BIN/mkdeep" "$T/deep" 3000 "deep content (test)"
	printf '%s;deep test hash\n' "$(printf 'deep content (test)\n' | sha256sum | cut -d' ' -f1)" \
		>"$T/test-hash-iocs.txt"
	run_vigil scan --no-builtin --json --iocs "$T/test-hash-iocs.txt" "$T/deep"
	check "3,000 deep: exit 1 (the hit at the bottom)" 1 "$rc"
	path=$(jq -r 'select(.type == "file" and (.findings | length) == 1) | .path' "$T/out")
	check "3,000 deep: the path's length" $((${#T} + 5 + 2 * 3000 + 9)) "${#path}"
	check "3,000 deep: every directory seen" 3001 "$(jq -r 'select(.type == "summary") | .dirs_seen' "$T/out")"
	check "3,000 deep: no error" 0 "$(jq -r 'select(.type == "summary") | [.errors[]] | add' "$T/out")"
	"$VIGIL_TEST_BIN/mkdeep" "$T/deep" 3000 --remove
fi
finish
