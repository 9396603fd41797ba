#!/bin/sh
# vigil snapshot: a release's facts saved as JSON stand for the release. For
# the directory, the ZIP and the MSI of tests/tools/mkrelease.sh, `vigil
# diff --json` gives byte-identical output whether OLD (or NEW, or both) is
# the release itself or its snapshot, for the benign and the 3CX-like
# upgrade; the exit codes agree too. A damaged snapshot exits 2 naming the
# file. Skipped (77) while vigil has no diff or snapshot command.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/release.sh"
need jq
need_command diff
need_command snapshot
make_releases

for f in dir zip msi; do
	N=$(rel N $f)
	run_vigil snapshot "$N" -o "$T/N-$f.json"
	check "$f: snapshot N exits 0" 0 "$rc"
	check "$f: snapshot is JSON" object "$(jq -r type "$T/N-$f.json" 2>/dev/null || echo none)"
	for v in benign 3cx; do
		NEW=$(rel $v $f)
		run_vigil snapshot "$NEW" -o "$T/$v-$f.json"
		check "$f $v: snapshot exits 0" 0 "$rc"
		diff_json "$N" "$NEW"
		want_rc=$rc
		cp "$T/out" "$T/want.json"
		check "$f $v: the release diff is JSON" object "$(jq -r type "$T/want.json")"
		diff_json "$T/N-$f.json" "$NEW"
		check "$f $v: OLD snapshot, same exit" "$want_rc" "$rc"
		if cmp -s "$T/want.json" "$T/out"; then ok "$f $v: OLD snapshot, identical output"; else
			not_ok "$f $v: OLD snapshot, identical output"
			diff "$T/want.json" "$T/out" | head -20
		fi
		diff_json "$N" "$T/$v-$f.json"
		check "$f $v: NEW snapshot, same exit" "$want_rc" "$rc"
		cmp -s "$T/want.json" "$T/out" && ok "$f $v: NEW snapshot, identical output" ||
			not_ok "$f $v: NEW snapshot, identical output"
		diff_json "$T/N-$f.json" "$T/$v-$f.json"
		check "$f $v: both snapshots, same exit" "$want_rc" "$rc"
		cmp -s "$T/want.json" "$T/out" && ok "$f $v: both snapshots, identical output" ||
			not_ok "$f $v: both snapshots, identical output"
	done
done
# the 3CX case really is in the snapshot's diff
diff_json "$T/N-msi.json" "$T/3cx-msi.json"
check_has "snapshots: VGL-MODEL-3CX" VGL-MODEL-3CX "$(all_models)"
# a snapshot is the same every time it is taken
run_vigil snapshot "$(rel N zip)" -o "$T/again.json"
cmp -s "$T/N-zip.json" "$T/again.json" && ok "snapshot is reproducible" ||
	not_ok "snapshot is reproducible"
# damaged snapshots
head -c 100 "$T/N-zip.json" >"$T/cut.json"
run_vigil diff --json "$T/cut.json" "$(rel benign zip)"
check "truncated snapshot: exit 2" 2 "$rc"
check "truncated snapshot: named" yes "$(grep -q cut.json "$T/err" && echo yes)"
# a snapshot of a format version from the future (its "snapshot_format",
# or its "schema" when it has no such key)
jq 'if has("snapshot_format") then .snapshot_format = 999 else .schema = 999999 end' \
	"$T/N-zip.json" >"$T/future.json" 2>/dev/null || cp "$T/cut.json" "$T/future.json"
run_vigil diff --json "$T/future.json" "$(rel benign zip)"
check "snapshot of an unknown format version: exit 2" 2 "$rc"
finish
