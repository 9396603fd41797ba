#!/bin/sh
# vigil verify, the update gate, on the releases of tests/tools/mkrelease.sh.
# Default policy (no --policy): the benign upgrade passes (0) against
# release N, as an MSI and as a directory, and alone; every 3CX-like
# variant fails (1); --json is an object; a missing release exits 2.
# Policy files are tested by verify_policy.sh. Skipped (77) while vigil has
# no verify command.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/release.sh"
need jq
need_command verify
need_command diff
make_releases

# gate NAME WANT [verify options...] NEW
gate() {
	name=$1 want=$2
	shift 2
	run_vigil verify "$@"
	check "$name: exit $want" "$want" "$rc"
	[ "$rc" = "$want" ] || sed 's/^/  stderr: /' "$T/err" | head -5
}

for f in msi dir; do
	N=$(rel N $f)
	gate "$f benign" 0 --against "$N" "$(rel benign $f)"
	for v in 3cx 3cx-codec 3cx-certtable signer-swap unsigned pdb; do
		gate "$f $v" 1 --against "$N" "$(rel $v $f)"
	done
	gate "$f N against itself" 0 --against "$N" "$N"
done
N=$(rel N msi)
gate "benign alone" 0 "$(rel benign msi)"
run_vigil verify --json --against "$N" "$(rel 3cx msi)"
check "json: exit 1" 1 "$rc"
check "json: a JSON object" object "$(jq -r type "$T/out" 2>/dev/null || echo none)"
gate "missing release" 2 --against "$N" "$T/none.msi"

finish
