#!/bin/sh
# vigil diff --sarif and vigil verify --sarif: the SARIF 2.1.0 log of the
# 3CX-like and the benign upgrade validates against the OASIS schema
# (../shared/schemas/sarif-schema-2.1.0.json beside the source tree, with
# python3-jsonschema), names vigil as the tool, and carries the signal IDs
# as rule IDs. Skipped (77) while vigil has no diff command, or when the
# schema or python3-jsonschema is missing.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/release.sh"
need jq
need_command diff
SCHEMA=$VIGIL_TEST_SRC/../shared/schemas/sarif-schema-2.1.0.json
[ -f "$SCHEMA" ] || { echo "skip: no SARIF schema at $SCHEMA"; exit 77; }
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
"$PY" -c 'import jsonschema' 2>/dev/null || { echo "skip: python3-jsonschema not installed"; exit 77; }
make_releases

validate() {
	"$PY" - "$SCHEMA" "$1" <<'PYEOF'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
cls = jsonschema.validators.validator_for(schema)
errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors[:5]:
    print("  at /%s: %s" % ("/".join(str(p) for p in e.path), e.message[:300]))
sys.exit(1 if errors else 0)
PYEOF
}

N=$(rel N msi)
for v in 3cx benign; do
	run_vigil diff --sarif "$N" "$(rel $v msi)"
	cp "$T/out" "$T/$v.sarif"
	check "$v: exit" "$([ $v = 3cx ] && echo 1 || echo 0)" "$rc"
	if validate "$T/$v.sarif" >"$T/why"; then ok "$v: valid SARIF 2.1.0"; else
		not_ok "$v: valid SARIF 2.1.0"
		cat "$T/why"
	fi
	check "$v: version" 2.1.0 "$(jq -r .version "$T/$v.sarif")"
	check "$v: tool" vigil "$(jq -r '.runs[0].tool.driver.name' "$T/$v.sarif")"
done
rules=$(jq -r '[.runs[0].results[].ruleId] | unique | join(" ")' "$T/3cx.sarif")
check_has "3cx: CERT-TABLE-GREW result" VGL-DIFF-CERT-TABLE-GREW "$rules"
check_has "3cx: MODEL-3CX result" VGL-MODEL-3CX "$rules"
check "3cx: the model is an error" error \
	"$(jq -r '[.runs[0].results[] | select(.ruleId == "VGL-MODEL-3CX") | .level][0]' "$T/3cx.sarif")"
check "3cx: results name the component" yes \
	"$(jq -r '[.runs[0].results[] | select(.ruleId == "VGL-DIFF-CERT-TABLE-GREW") | tostring][0]' "$T/3cx.sarif" |
		grep -qi d3dcompiler_47.dll && echo yes)"
check "benign: no error result" 0 \
	"$(jq '[.runs[0].results[] | select(.level == "error")] | length' "$T/benign.sarif")"

if "$VIGIL" verify --help >/dev/null 2>&1; then
	run_vigil verify --sarif --against "$N" "$(rel 3cx msi)"
	check "verify 3cx: exit 1" 1 "$rc"
	if validate "$T/out" >"$T/why"; then ok "verify: valid SARIF 2.1.0"; else
		not_ok "verify: valid SARIF 2.1.0"
		cat "$T/why"
	fi
fi
finish
