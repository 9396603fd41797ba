#!/bin/sh
# vigil does not report its own content: a signature-base-like checkout
# inside the swept tree (rules given with --rules, IOCs with --iocs), the
# content directory it loaded and its rules cache (whose compiled files
# hold the rules' strings) are pruned below the roots, by identity, and the
# exclusion is reported (summary line, -v list, JSON summary field);
# --no-self-exclude sweeps them. A real hit elsewhere in the tree stays.
. "$(dirname "$0")/lib/common.sh"
need jq

D=$T/host
mkdir -p "$D/opt/sigbase/yara" "$D/opt/sigbase/iocs" "$D/opt/content/pack/rules" "$D/opt/app" "$D/cache"
cat >"$D/opt/sigbase/yara/apt_test.yar" <<'EOT'
rule Test_Implant_Marker { strings: $a = "VIGIL_SELF_TEST_IMPLANT_MARKER" condition: $a }
EOT
printf 'implant bytes VIGIL_SELF_TEST_IMPLANT_MARKER\n' >"$D/opt/app/implant.bin"
hit=$(sha256sum <"$D/opt/app/implant.bin" | cut -d' ' -f1)
# a hash IOC file naming itself by content: its own line is no self hit,
# but a copy of the IOC list is a fixture that a filename IOC catches
printf '%s;test implant\n' "$hit" >"$D/opt/sigbase/iocs/hash-iocs.txt"
printf '\\\\sigbase\\\\;50\n' >"$D/opt/sigbase/iocs/filename-iocs.txt"
cat >"$D/opt/content/pack/rules/pack.yar" <<'EOT'
rule Pack_Marker { strings: $a = "VIGIL_SELF_TEST_PACK_MARKER" condition: $a }
EOT
printf 'packed VIGIL_SELF_TEST_PACK_MARKER\n' >"$D/opt/app/packed.bin"

export VIGIL_CONTENT_DIR="$D/opt/content" VIGIL_CACHE_DIR="$D/cache"
args="--json --iocs $D/opt/sigbase/iocs --rules $D/opt/sigbase/yara"

# a first run fills the cache (inside the tree too)
run_vigil scan $args "$D"
check "exit 1 (the implant)" 1 "$rc"
check "the cache was written inside the tree" 1 \
	"$(find "$D/cache" -name '*.yarc' | head -n 1 | wc -l | tr -d ' ')"
run_vigil scan $args "$D"
paths=$(jq -r 'select(.type == "file" and (.findings | length) > 0) | .path' "$T/out" | sort | tr '\n' ' ')
check "only the real hits reported" "$D/opt/app/implant.bin $D/opt/app/packed.bin " "$paths"
check "nothing under the rule, IOC, content or cache directories" "" \
	"$(jq -r 'select(.type == "file") | .path' "$T/out" | grep -E "/(sigbase|content|cache)/" || true)"
check "JSON summary: self_excluded (content, cache, iocs, yara)" 4 \
	"$(jq -r 'select(.type == "summary") | .self_excluded' "$T/out")"

run_vigil scan --iocs "$D/opt/sigbase/iocs" --rules "$D/opt/sigbase/yara" "$D"
check "text summary line" 1 \
	"$(grep -c "^excluded as vigil's own: 4 (.*--no-self-exclude sweeps them)\$" "$T/out" || true)"
run_vigil scan -v --iocs "$D/opt/sigbase/iocs" --rules "$D/opt/sigbase/yara" "$D"
check "-v lists each one" 4 "$(grep -c "info: vigil's own (content it loaded, or its cache): not swept" "$T/err" || true)"
check "-v names the rule directory" 1 "$(grep -c "^vigil: $D/opt/sigbase/yara: info: vigil's own" "$T/err" || true)"

# a rules file given as a file: that file pruned, its directory swept
printf 'plain\n' >"$D/opt/sigbase/yara/README"
run_vigil scan --json --no-builtin --rules "$D/opt/sigbase/yara/apt_test.yar" "$D/opt"
check "rule file: not reported" "" \
	"$(jq -r 'select(.type == "file" and (.path | endswith("apt_test.yar"))) | .path' "$T/out")"
check "rule file: its neighbours swept" 1 \
	"$(jq -r 'select(.type == "summary") | .self_excluded' "$T/out")"

# --no-self-exclude: everything swept, the rule file and the cache hit
run_vigil scan $args --no-self-exclude "$D"
check "--no-self-exclude: nothing excluded" 0 "$(jq -r 'select(.type == "summary") | .self_excluded' "$T/out")"
check "--no-self-exclude: the rule file reported" Test_Implant_Marker \
	"$(jq -r --arg p "$D/opt/sigbase/yara/apt_test.yar" 'select(.type == "file" and .path == $p) | .findings[] | select(.kind == "yara") | .id' "$T/out")"
check "--no-self-exclude: the pack rule reported" Pack_Marker \
	"$(jq -r --arg p "$D/opt/content/pack/rules/pack.yar" 'select(.type == "file" and .path == $p) | .findings[] | select(.kind == "yara") | .id' "$T/out")"

# a root that is vigil's own is swept: it was asked for by name
run_vigil scan $args "$D/opt/sigbase/yara"
check "a root named is swept" 1 "$rc"
finish
