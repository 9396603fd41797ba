#!/bin/sh
# vigil verify --policy FILE (docs/cli.md, "Policy files"; lib/policy/) on
# the releases of tests/tools/mkrelease.sh: waivers of exactly the failing
# signals make the unsigned variant pass, an expired waiver does not (and
# says so), a waiver of another signal or path does not; fail_on moves the
# gate; must_be_signed, signers and pinned digests are checked on NEW
# alone; a malformed policy exits 2 naming the file and line (and the
# key); a missing policy exits 2. Skipped (77) while vigil has no verify
# command, or while its verify answers "policy files: not yet supported".
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/release.sh"
need jq
need openssl
need_command verify
need_command diff
printf '{"vigil_policy": 1}\n' >"$T/probe.json"
"$VIGIL" verify --policy "$T/probe.json" "$T/probe.json" >/dev/null 2>"$T/probe.err" || true
if grep -q "policy files: not yet supported" "$T/probe.err"; then
	echo "skip: vigil verify does not read policy files yet"
	exit 77
fi
make_releases

# gate NAME WANT [verify options...] NEW
gate() {
	name=$1 want=$2
	shift 2
	run_vigil verify "$@"
	check "$name: exit $want" "$want" "$rc"
	[ "$rc" = "$want" ] || sed 's/^/  stderr: /' "$T/err" | head -5
}
N=$(rel N msi)

# waivers: every high or critical signal verify gives the unsigned
# variant (the diff's and its own checks'), waived
run_vigil verify --json --against "$N" "$(rel unsigned msi)"
jq --arg exp 2099-12-31 '{vigil_policy: 1, waivers: [.components[] | .path as $p
	| .signals[] | select(.level == "high" or .level == "critical")
	| {path: $p, signal: .id, reason: "rebuilt unsigned on purpose, ticket 7", expires: $exp}]}' \
	"$T/out" >"$T/waive.json"
check "the unsigned variant has a waivable signal" yes \
	"$([ "$(jq '.waivers | length' "$T/waive.json")" -gt 0 ] && echo yes)"
check "the unsigned variant has no model" "" "$(all_models)"
gate "unsigned, waived" 0 --policy "$T/waive.json" --against "$N" "$(rel unsigned msi)"
gate "3cx, same waivers" 1 --policy "$T/waive.json" --against "$N" "$(rel 3cx msi)"
jq '.waivers[].expires = "2001-01-01"' "$T/waive.json" >"$T/expired.json"
gate "unsigned, expired waiver" 1 --policy "$T/expired.json" --against "$N" "$(rel unsigned msi)"
check "expired waiver: told" yes "$(grep -q expired "$T/err" && echo yes)"
jq '.waivers[].signal = "VGL-DIFF-RENAMED"' "$T/waive.json" >"$T/other.json"
gate "unsigned, waiver of another signal" 1 --policy "$T/other.json" --against "$N" \
	"$(rel unsigned msi)"
jq '.waivers[].path = "nothing/*"' "$T/waive.json" >"$T/elsewhere.json"
gate "unsigned, waiver of another path" 1 --policy "$T/elsewhere.json" --against "$N" \
	"$(rel unsigned msi)"

# fail_on
printf '{"vigil_policy": 1, "fail_on": "critical"}\n' >"$T/critical.json"
gate "pdb, fail_on critical" 0 --policy "$T/critical.json" --against "$N" "$(rel pdb msi)"
gate "3cx, fail_on critical" 1 --policy "$T/critical.json" --against "$N" "$(rel 3cx msi)"
printf '{"vigil_policy": 1, "fail_on": "info"}\n' >"$T/info.json"
gate "benign, fail_on info" 1 --policy "$T/info.json" --against "$N" "$(rel benign msi)"

# checks on NEW alone
printf '{"vigil_policy": 1, "must_be_signed": ["*.dll", "*.exe"]}\n' >"$T/signed.json"
gate "must_be_signed, N" 0 --policy "$T/signed.json" "$N"
gate "must_be_signed, unsigned" 1 --policy "$T/signed.json" "$(rel unsigned msi)"
run_vigil snapshot "$N" -o "$T/n.snapshot"
ff=$(jq -r '[.components[].path | select(endswith("ffmpeg.dll"))][0]' "$T/n.snapshot")
cat >"$T/signers.json" <<EOT
{"vigil_policy": 1,
 "signers": [{"path": "*ffmpeg.dll", "issuer": "CN=Contoso Code Signing CA,O=Contoso Ltd"}]}
EOT
gate "signers, N" 0 --policy "$T/signers.json" "$N"
gate "signers, signer-swap alone" 1 --policy "$T/signers.json" "$(rel signer-swap msi)"
sha=$(openssl dgst -sha256 -r "$R/win/N/dir/ContosoPhone/d3dcompiler_47.dll" | cut -d' ' -f1)
cat >"$T/pinned.json" <<EOT
{"vigil_policy": 1,
 "pinned": [{"path": "*d3dcompiler_47.dll", "version": "10.0.20348.1", "sha256": "$sha"}]}
EOT
gate "pinned, benign" 0 --policy "$T/pinned.json" "$(rel benign msi)"
gate "pinned, 3cx-certtable alone" 1 --policy "$T/pinned.json" "$(rel 3cx-certtable msi)"
[ -n "$ff" ] && ok "ffmpeg.dll's normalised path: $ff" || not_ok "no ffmpeg.dll path"

# malformed policies: exit 2, the file and line named
printf '{"vigil_policy": 1,\n "fail_on": "high",\n "waivers": [{"path": "*", "sigal": "VGL-DIFF-ADDED"}]}\n' \
	>"$T/typo.json"
gate "unknown key" 2 --policy "$T/typo.json" --against "$N" "$(rel benign msi)"
check "unknown key: file:line named" yes "$(grep -q 'typo.json:3:' "$T/err" && echo yes)"
check "unknown key: the key named" yes "$(grep -q sigal "$T/err" && echo yes)"
printf '{"vigil_policy": 1,\n\n "fail_on": "high",,\n}\n' >"$T/syntax.json"
gate "syntax error" 2 --policy "$T/syntax.json" "$(rel benign msi)"
check "syntax error: file:line named" yes "$(grep -q 'syntax.json:3:' "$T/err" && echo yes)"
printf '{"vigil_policy": 1, "fail_on": "severe"}\n' >"$T/level.json"
gate "bad level" 2 --policy "$T/level.json" "$(rel benign msi)"
gate "missing policy" 2 --policy "$T/none.json" "$(rel benign msi)"
finish
