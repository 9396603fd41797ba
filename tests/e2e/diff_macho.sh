#!/bin/sh
# vigil diff on the Mach-O pair of tests/tools/mkrelease.sh, in DMGs (the
# dylib linked with clang -target x86_64-apple-macos11 and ld.lld against
# text stubs of libSystem and Foundation): libffmpeg.dylib of the same
# version gains popen/pclose and the NSURLRequest class, the shape of the
# macOS 3CX library's new behaviour: the new imports and a new capability
# are reported on that component, and the exit code follows the verdict.
# Skipped (77) while vigil has no diff command, or when the Mach-O part of
# the fixtures could not be linked here (the reason is printed).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/release.sh"
need jq
need_command diff
make_releases
[ -f "$R/macho/N/release.dmg" ] || { echo "skip: $(grep '^macho:' "$R/missing")"; exit 77; }
lib=libffmpeg.dylib

diff_json "$R/macho/N/release.dmg" "$R/macho/N/release.dmg"
check "same: exit 0" 0 "$rc"
check "same: unchanged" unchanged "$(change $lib)"

diff_json "$R/macho/N/release.dmg" "$R/macho/downloader/release.dmg"
check "downloader: dylib modified" modified "$(change $lib)"
check "downloader: only the dylib changed" "$lib" \
	"$(jq -r '[.components[] | select(.change != "unchanged") | .path | split("/") | last] | join(" ")' "$T/out")"
check_present "downloader: NEW-IMPORTS" $lib VGL-DIFF-NEW-IMPORTS
check_detail "downloader: popen named" $lib VGL-DIFF-NEW-IMPORTS popen
check_present "downloader: NEW-CAPABILITY" $lib VGL-DIFF-NEW-CAPABILITY
check_present "downloader: SAME-VERSION" $lib VGL-DIFF-SAME-VERSION
case $(verdict) in
high | critical) check "downloader: exit 1 at verdict $(verdict)" 1 "$rc" ;;
*) check "downloader: exit 0 at verdict $(verdict)" 0 "$rc" ;;
esac
diff_json "$R/macho/N/release.dmg" "$R/macho/downloader/release.dmg" --fail-on low
check "downloader, fail-on low: exit 1" 1 "$rc"
finish
