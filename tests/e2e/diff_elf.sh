#!/bin/sh
# vigil diff on the ELF pair of tests/tools/mkrelease.sh, libcodec1 as
# .deb packages: the benign upgrade (new harmless function, version
# 1.0.0-1 -> 1.1.0-1) exits 0 with no IFUNC or model; the XZ-like build
# (same package version, gains an IFUNC resolver and system/dlopen) is
# critical with VGL-MODEL-XZ, VGL-DIFF-NEW-IFUNC, VGL-DIFF-SAME-VERSION
# and the new imports named. Skipped (77) while vigil has no diff command.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/release.sh"
need jq
need_command diff
make_releases
[ -f "$R/elf/N/libcodec1.deb" ] || { echo "skip: $(grep '^elf:' "$R/missing")"; exit 77; }
lib=libcodec.so.1

diff_json "$R/elf/N/libcodec1.deb" "$R/elf/benign/libcodec1.deb"
check "benign: exit 0" 0 "$rc"
check "benign: library modified" modified "$(change $lib)"
check "benign: no NEW-IFUNC" absent "$(level $lib VGL-DIFF-NEW-IFUNC)"
check "benign: no SAME-VERSION" absent "$(level $lib VGL-DIFF-SAME-VERSION)"
check "benign: no model" "" "$(all_models)"
case $(verdict) in high | critical) not_ok "benign: verdict below high ($(verdict))" ;;
*) ok "benign: verdict below high" ;; esac

diff_json "$R/elf/N/libcodec1.deb" "$R/elf/xz/libcodec1.deb"
check "xz: exit 1" 1 "$rc"
check "xz: verdict" critical "$(verdict)"
check "xz: library modified" modified "$(change $lib)"
check_present "xz: NEW-IFUNC" $lib VGL-DIFF-NEW-IFUNC
check_present "xz: SAME-VERSION" $lib VGL-DIFF-SAME-VERSION
check_present "xz: NEW-IMPORTS" $lib VGL-DIFF-NEW-IMPORTS
check_detail "xz: system named" $lib VGL-DIFF-NEW-IMPORTS system
check_detail "xz: dlopen named" $lib VGL-DIFF-NEW-IMPORTS dlopen
check_present "xz: NEW-CAPABILITY" $lib VGL-DIFF-NEW-CAPABILITY
check_has "xz: VGL-MODEL-XZ" VGL-MODEL-XZ "$(models $lib)"
check "xz: component level" critical "$(comp $lib | jq -r .level)"
check "xz: no 3CX model" "VGL-MODEL-XZ" "$(all_models)"

# the unpacked package trees compare the same way
for v in N xz; do
	mkdir -p "$T/tree-$v"
	dpkg-deb -x "$R/elf/$v/libcodec1.deb" "$T/tree-$v" || not_ok "dpkg-deb -x $v"
done
diff_json "$T/tree-N" "$T/tree-xz"
check "xz trees: exit 1" 1 "$rc"
check_present "xz trees: NEW-IFUNC" $lib VGL-DIFF-NEW-IFUNC
finish
