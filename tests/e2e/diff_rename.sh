#!/bin/sh
# Renames: an executable moved to another path with the same bytes is
# renamed (similarity 100); one moved and patched (a URL written over a
# few bytes) is renamed by its ssdeep similarity and still shows what its
# bytes gained; an unrelated executable is added + removed. A snapshot of
# OLD gives the same diff. Real programs from /bin as the components.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/release.sh"
need jq
need dd
need_command diff
for p in /bin/ls /bin/cp /bin/true; do
	[ -f "$p" ] || { echo "skip: no $p"; exit 77; }
done
mkdir -p "$T/old/bin" "$T/new/libexec"
cp /bin/ls "$T/old/bin/ls"
cp /bin/cp "$T/old/bin/cp"
cp /bin/true "$T/old/bin/true"
cp /bin/ls "$T/new/libexec/list"
printf 'http://203.0.113.9/x\0' | dd of="$T/new/libexec/list" bs=1 seek=60000 conv=notrunc 2>/dev/null
cp /bin/cp "$T/new/libexec/copy"
cp /bin/cp "$T/new/libexec/unrelated"
# "unrelated" takes cp's bytes, "copy" too: one of them is the rename
# (the first by path), the other added; true is removed (nothing like it)
diff_json "$T/old" "$T/new"
check "patched: renamed" renamed "$(change libexec/list)"
check_detail "patched: from bin/ls" libexec/list VGL-DIFF-RENAMED '"old_path":"bin/ls"'
sim=$(comp libexec/list | jq -r '.signals[] | select(.id == "VGL-DIFF-RENAMED") | .detail.similarity')
case $sim in
[5-9][0-9]) ok "patched: similarity $sim (50..99)" ;;
*) not_ok "patched: similarity 50..99, got '$sim'" ;;
esac
check_present "patched: its new URL shown" libexec/list VGL-DIFF-NEW-URL
check "patched: modified signal" info "$(level libexec/list VGL-DIFF-MODIFIED)"
check "same bytes: renamed" renamed "$(change libexec/copy)"
check_detail "same bytes: similarity 100" libexec/copy VGL-DIFF-RENAMED '"similarity":100'
check "a second copy: added" added "$(change libexec/unrelated)"
check "true: removed" removed "$(change bin/true)"
cp "$T/out" "$T/want.json"
run_vigil snapshot "$T/old" -o "$T/old.json"
diff_json "$T/old.json" "$T/new"
cmp -s "$T/want.json" "$T/out" && ok "snapshot: identical diff" ||
	{ not_ok "snapshot: identical diff"; diff "$T/want.json" "$T/out" | head -5; }
finish
