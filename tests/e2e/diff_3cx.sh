#!/bin/sh
# vigil diff on the Windows releases of tests/tools/mkrelease.sh, as a
# directory, a ZIP and an MSI: the benign upgrade (version bump, renewed
# certificate of the same signer, a new signed component, a harmless new
# import) stays below high and exits 0; the 3CX-like release (a codec of the
# same version gaining sibling-DLL reads, executable memory and a thread;
# the third party's DLL of the same version and signer with a grown
# certificate table) is critical with VGL-MODEL-3CX; each change alone,
# the swapped signer, signed -> unsigned and the new PDB path each fail
# with their signal. Paths are normalised (the release's own name dropped,
# lower-cased: these are Windows releases). --fail-on moves the exit code; a missing
# release exits 2. Skipped (77) while vigil has no diff command.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/release.sh"
need jq
need_command diff
make_releases

for f in dir zip msi; do
	N=$(rel N $f)

	diff_json "$N" "$(rel benign $f)"
	check "$f benign: exit 0" 0 "$rc"
	check "$f benign: type" diff "$(jq -r .type "$T/out")"
	check "$f benign: old is the release's name" "$(basename "$N")" "$(jq -r .old "$T/out")"
	check "$f benign: schema is a number" number "$(jq -r '.schema | type' "$T/out")"
	case $(verdict) in high | critical) not_ok "$f benign: verdict below high ($(verdict))" ;;
	*) ok "$f benign: verdict below high" ;; esac
	# a Windows release (an MSI, or any PE inside) is case-folded
	check "$f benign: normalised path" contosophone/ffmpeg.dll \
		"$(jq -r '[.components[].path | select(endswith("ffmpeg.dll"))][0]' "$T/out")"
	check "$f benign: plugin.dll added" added "$(change plugin.dll)"
	check_present "$f benign: VGL-DIFF-ADDED" plugin.dll VGL-DIFF-ADDED
	check "$f benign: ffmpeg.dll modified" modified "$(change ffmpeg.dll)"
	check "$f benign: app.exe modified" modified "$(change app.exe)"
	check "$f benign: d3dcompiler unchanged" unchanged "$(change d3dcompiler_47.dll)"
	for s in VGL-DIFF-SIGNER-CHANGED VGL-DIFF-UNSIGNED VGL-DIFF-SAME-VERSION VGL-DIFF-UNTRUSTED-CA; do
		check "$f benign: ffmpeg.dll has no $s" absent "$(level ffmpeg.dll $s)"
	done
	check "$f benign: no model" "" "$(all_models)"

	diff_json "$N" "$(rel 3cx $f)"
	check "$f 3cx: exit 1" 1 "$rc"
	check "$f 3cx: verdict" critical "$(verdict)"
	check_has "$f 3cx: VGL-MODEL-3CX" VGL-MODEL-3CX "$(all_models)"
	check "$f 3cx: d3dcompiler modified" modified "$(change d3dcompiler_47.dll)"
	check_high "$f 3cx: d3dcompiler SAME-VERSION (third party)" \
		"$(level d3dcompiler_47.dll VGL-DIFF-SAME-VERSION)"
	check "$f 3cx: d3dcompiler CERT-TABLE-GREW" high \
		"$(level d3dcompiler_47.dll VGL-DIFF-CERT-TABLE-GREW)"
	check "$f 3cx: d3dcompiler CERT-SLACK" high "$(level d3dcompiler_47.dll VGL-DIFF-CERT-SLACK)"
	check "$f 3cx: d3dcompiler signer kept" absent \
		"$(level d3dcompiler_47.dll VGL-DIFF-SIGNER-CHANGED)"
	check_has "$f 3cx: d3dcompiler model" VGL-MODEL-3CX "$(models d3dcompiler_47.dll)"
	check "$f 3cx: d3dcompiler level" critical "$(comp d3dcompiler_47.dll | jq -r .level)"
	check_present "$f 3cx: ffmpeg SAME-VERSION" ffmpeg.dll VGL-DIFF-SAME-VERSION
	check_present "$f 3cx: ffmpeg NEW-IMPORTS" ffmpeg.dll VGL-DIFF-NEW-IMPORTS
	check_high "$f 3cx: ffmpeg NEW-CAPABILITY" "$(level ffmpeg.dll VGL-DIFF-NEW-CAPABILITY)"
	check_detail "$f 3cx: ffmpeg's new imports named" ffmpeg.dll VGL-DIFF-NEW-IMPORTS CreateFileW
	check "$f 3cx: components strongest first" critical \
		"$(jq -r '.components[0].level' "$T/out")"

	diff_json "$N" "$(rel 3cx-codec $f)"
	check "$f 3cx-codec: exit 1" 1 "$rc"
	check "$f 3cx-codec: d3dcompiler unchanged" unchanged "$(change d3dcompiler_47.dll)"
	check "$f 3cx-codec: app.exe unchanged" unchanged "$(change app.exe)"
	check_present "$f 3cx-codec: ffmpeg SAME-VERSION" ffmpeg.dll VGL-DIFF-SAME-VERSION
	check_high "$f 3cx-codec: ffmpeg NEW-CAPABILITY" "$(level ffmpeg.dll VGL-DIFF-NEW-CAPABILITY)"
	check_has "$f 3cx-codec: VGL-MODEL-3CX on the codec" VGL-MODEL-3CX "$(models ffmpeg.dll)"

	diff_json "$N" "$(rel 3cx-certtable $f)"
	check "$f 3cx-certtable: exit 1" 1 "$rc"
	check "$f 3cx-certtable: ffmpeg unchanged" unchanged "$(change ffmpeg.dll)"
	check "$f 3cx-certtable: CERT-TABLE-GREW" high \
		"$(level d3dcompiler_47.dll VGL-DIFF-CERT-TABLE-GREW)"
	check "$f 3cx-certtable: CERT-SLACK" high "$(level d3dcompiler_47.dll VGL-DIFF-CERT-SLACK)"
	check_has "$f 3cx-certtable: VGL-MODEL-3CX" VGL-MODEL-3CX "$(models d3dcompiler_47.dll)"

	diff_json "$N" "$(rel signer-swap $f)"
	check "$f signer-swap: exit 1" 1 "$rc"
	check "$f signer-swap: SIGNER-CHANGED" high "$(level ffmpeg.dll VGL-DIFF-SIGNER-CHANGED)"
	check "$f signer-swap: UNTRUSTED-CA" high "$(level ffmpeg.dll VGL-DIFF-UNTRUSTED-CA)"
	check "$f signer-swap: d3dcompiler unchanged" unchanged "$(change d3dcompiler_47.dll)"

	diff_json "$N" "$(rel unsigned $f)"
	check "$f unsigned: exit 1" 1 "$rc"
	check "$f unsigned: UNSIGNED" high "$(level ffmpeg.dll VGL-DIFF-UNSIGNED)"

	diff_json "$N" "$(rel pdb $f)"
	check "$f pdb: exit 1" 1 "$rc"
	check_present "$f pdb: TOOLCHAIN-CHANGED" ffmpeg.dll VGL-DIFF-TOOLCHAIN-CHANGED
	check_detail "$f pdb: the new PDB named" ffmpeg.dll VGL-DIFF-TOOLCHAIN-CHANGED ffmpeg_x64_dev.pdb
	check "$f pdb: siblings keep theirs" absent "$(level app.exe VGL-DIFF-TOOLCHAIN-CHANGED)"

	# a release against itself: nothing changed
	diff_json "$N" "$N"
	check "$f same: exit 0" 0 "$rc"
	check "$f same: verdict" none "$(verdict)"
	check "$f same: no component changed" 0 \
		"$(jq '[.components[] | select(.change != "unchanged")] | length' "$T/out")"
done

# --fail-on
N=$(rel N zip)
diff_json "$N" "$(rel 3cx zip)" --fail-on critical
check "fail-on critical, 3cx: exit 1" 1 "$rc"
diff_json "$N" "$(rel pdb zip)" --fail-on critical
check "fail-on critical, pdb: exit 0" 0 "$rc"
diff_json "$N" "$(rel benign zip)" --fail-on info
check "fail-on info, benign: exit 1" 1 "$rc"
diff_json "$N" "$(rel benign zip)" --fail-on severe
check "fail-on with a bad level: exit 2" 2 "$rc"
# the text report: exit code as with --json, the model named
run_vigil diff "$N" "$(rel 3cx zip)"
check "text 3cx: exit 1" 1 "$rc"
check "text 3cx: names the model" yes "$(grep -q VGL-MODEL-3CX "$T/out" && echo yes)"
# errors
run_vigil diff "$N" "$T/no-such-release.zip"
check "missing release: exit 2" 2 "$rc"
check "missing release: named" yes "$(grep -q no-such-release "$T/err" && echo yes)"
printf 'PK\003\004 not a zip' >"$T/bad.zip"
run_vigil diff "$N" "$T/bad.zip"
check "damaged release: no crash (exit 0, 1 or 2)" yes "$([ "$rc" -le 2 ] && echo yes)"
check "damaged release: named in a message" yes \
	"$(grep -q bad.zip "$T/err" "$T/out" && echo yes)"
finish
