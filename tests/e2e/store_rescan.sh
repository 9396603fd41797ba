#!/bin/sh
# The store end to end: a sweep, a re-sweep that reads nothing and gives
# the same results, content changed with its mtime restored (only ctime
# tells) read again, a new hash IOC answered without reading, changed
# rules read again, vigil hunt from the store alone, --rescan, --no-store,
# a removed file's row dropped, a damaged store refused and --rebuild.
. "$(dirname "$0")/lib/common.sh"
need jq

D=$T/tree
mkdir -p "$D/sub"
printf 'plain bytes one\n' >"$D/a.bin"
printf 'has VIGIL_STORE_MARK inside\n' >"$D/b.txt"
printf 'sub file content\n' >"$D/sub/c.bin"
printf 'gone soon\n' >"$D/sub/d.bin"
cat >"$T/r1.yar" <<'EOT'
rule store_mark { strings: $a = "VIGIL_STORE_MARK" condition: $a }
EOT
cat "$T/r1.yar" >"$T/r2.yar"
cat >>"$T/r2.yar" <<'EOT'
rule store_plain { strings: $a = "plain bytes" condition: $a }
EOT
: >"$T/none.txt"
S=$T/s.db
export VIGIL_STORE="$S"

# sweep: summary field and the file records (without the summary; without
# the run's start time, which differs from run to run)
sweep() {
	run_vigil scan --no-builtin --json --threads 2 "$@" "$D"
	jq -c 'select(.type == "file") | del(.started)' <"$T/out" | sort >"$T/files"
	read_n=$(jq -r 'select(.type == "summary") | .files_read' <"$T/out")
	reused_n=$(jq -r 'select(.type == "summary") | .files_reused' <"$T/out")
}

sweep --rules "$T/r1.yar"
check "first sweep exit 1 (rule hit)" 1 "$rc"
check "first sweep reads every file" "4 0" "$read_n $reused_n"
cp "$T/files" "$T/files.1"
check "the store file is mode 0600" "600" "$(stat -c %a "$S")"

sweep --rules "$T/r1.yar"
check "re-sweep reads nothing" "0 4" "$read_n $reused_n"
check "re-sweep gives the same results" "$(cat "$T/files.1")" "$(cat "$T/files")"
check "re-sweep keeps the rule finding" "store_mark" \
	"$(jq -r '.findings[].id' <"$T/files")"

# same size, new content, mtime put back: only ctime has changed
touch -r "$D/a.bin" "$T/stamp"
sleep 0.05
printf 'plain bytes two\n' >"$D/a.bin"
touch -r "$T/stamp" "$D/a.bin"
sweep --rules "$T/r1.yar"
check "content changed, mtime restored: that file read" "1 3" "$read_n $reused_n"

# a new hash IOC: answered from the stored digests
sha=$(sha256sum <"$D/sub/c.bin" | cut -d' ' -f1)
printf '%s;new advisory hash\n' "$sha" >"$T/new-hash-iocs.txt"
sweep --rules "$T/r1.yar" --iocs "$T/new-hash-iocs.txt"
check "new hash IOC: no file read" "0 4" "$read_n $reused_n"
check "new hash IOC: the hit" "$D/sub/c.bin hash $sha" \
	"$(jq -r 'select(.findings[].kind == "hash") | "\(.path) \(.findings[0].kind) \(.findings[0].id)"' <"$T/files")"
check "new hash IOC: the rule finding kept" "store_mark" \
	"$(jq -r 'select(.path | endswith("b.txt")) | .findings[].id' <"$T/files")"

# and dropping it again: the stored hit goes, still nothing read
sweep --rules "$T/r1.yar" --iocs "$T/none.txt"
check "IOC removed: no file read" "0 4" "$read_n $reused_n"
check "IOC removed: no hash hit" "" "$(jq -r 'select(.findings[].kind == "hash") | .path' <"$T/files")"

# changed rules need the bytes
sweep --rules "$T/r2.yar"
check "changed rules: every file read" "4 0" "$read_n $reused_n"
check "changed rules: the new rule matches" "$D/a.bin store_plain" \
	"$(jq -r 'select(.findings[].id == "store_plain") | "\(.path) store_plain"' <"$T/files")"

# hunt: from the store alone, absolute paths, the sweep's time
run_vigil hunt --iocs "$T/new-hash-iocs.txt"
check "hunt exit 1 on a hit" 1 "$rc"
abs=$(cd "$D/sub" && pwd -P)/c.bin
check "hunt names the file" "1" "$(grep -c "^$abs\$" "$T/out")"
run_vigil hunt --iocs "$T/new-hash-iocs.txt" --json
check "hunt --json: path, IOC and seen time" "$abs $sha true" \
	"$(jq -r 'select(.type == "file") | "\(.path) \(.findings[0].id) \(.seen | test("^20[0-9-]+T"))"' <"$T/out")"
check "hunt --json summary" "4 1" \
	"$(jq -r 'select(.type == "summary") | "\(.files_checked) \(.files_with_hits)"' <"$T/out")"
run_vigil hunt --iocs "$T/none.txt"
check "hunt exit 0 without hits" 0 "$rc"
run_vigil hunt
check "hunt without --iocs exit 2" 2 "$rc"

sweep --rules "$T/r2.yar" --rescan
check "--rescan reads every file" "4 0" "$read_n $reused_n"

# rules load only when a file must be read: an unchanged re-sweep leaves
# an emptied rules cache empty; a changed file fills it, and is matched
export VIGIL_CACHE_DIR="$T/cache"
sweep --rules "$T/r2.yar"
check "unchanged re-sweep: nothing read" "0 4" "$read_n $reused_n"
check "unchanged re-sweep: the rules were not loaded" "no" \
	"$(ls "$T/cache/rules/"*.yarc >/dev/null 2>&1 && echo yes || echo no)"
check "unchanged re-sweep: the stored rule findings" "store_mark store_plain" \
	"$(jq -r '.findings[] | select(.kind == "yara") | .id' <"$T/files" | sort | tr '\n' ' ' | sed 's/ $//')"
printf 'plain bytes three\n' >"$D/a.bin"
sweep --rules "$T/r2.yar"
check "one changed file: read, the rules loaded for it" "1 3 yes" \
	"$read_n $reused_n $(ls "$T/cache/rules/"*.yarc >/dev/null 2>&1 && echo yes || echo no)"
check "one changed file: matched by the late rules" "$D/a.bin" \
	"$(jq -r 'select(.findings[].id == "store_plain") | .path' <"$T/files")"
printf 'rule broken { condition: nope }\n' >"$T/bad.yar"
printf 'plain bytes four\n' >"$D/a.bin"
run_vigil scan --no-builtin --json --rules "$T/bad.yar" "$D"
check "late rules that do not compile: exit 2" 2 "$rc"
check "late rules that do not compile: no record" "" "$(cat "$T/out")"
check "late rules that do not compile: said" 1 "$(grep -c 'rules do not compile' "$T/err")"
sweep --rules "$T/r2.yar"
check "after the failed run: the changed file read" "1 3" "$read_n $reused_n"

# a file removed: its row goes at the end of the complete sweep
d_sha=$(sha256sum <"$D/sub/d.bin" | cut -d' ' -f1)
printf '%s;the removed file\n' "$d_sha" >"$T/d-hash-iocs.txt"
run_vigil hunt --iocs "$T/d-hash-iocs.txt"
check "hunt finds the file before removal" 1 "$rc"
rm "$D/sub/d.bin"
sweep --rules "$T/r2.yar"
check "after removal: three files, none read" "0 3" "$read_n $reused_n"
run_vigil hunt --iocs "$T/d-hash-iocs.txt"
check "the removed file's row is gone" 0 "$rc"

# --no-store: neither read nor written
run_vigil scan --no-builtin --json --no-store --store "$T/never.db" "$D"
check "--no-store reads every file" "3" "$(jq -r 'select(.type == "summary") | .files_read' <"$T/out")"
check "--no-store creates no file" "absent" "$([ -e "$T/never.db" ] && echo present || echo absent)"
VIGIL_STORE=off run_vigil scan --no-builtin --json "$D"
check "VIGIL_STORE=off reads every file" "3 0" \
	"$(jq -r 'select(.type == "summary") | "\(.files_read) \(.files_reused)"' <"$T/out")"

# a damaged store is refused naming the file; --rebuild starts anew
head -c 8192 /dev/urandom >"$T/bad.db"
run_vigil scan --no-builtin --store "$T/bad.db" "$D"
check "damaged store: exit 2" 2 "$rc"
check "damaged store: the message names the file" 1 \
	"$(grep -c "$T/bad.db: error: store: not an SQLite database or damaged" "$T/err")"
run_vigil scan --no-builtin --store "$T/bad.db" --rebuild "$D"
check "--rebuild: the sweep runs" 0 "$rc"
run_vigil scan --no-builtin --json --store "$T/bad.db" "$D"
check "rebuilt store in use" "0 3" \
	"$(jq -r 'select(.type == "summary") | "\(.files_read) \(.files_reused)"' <"$T/out")"
printf 'not a database at all, just text\n' >"$T/text.db"
run_vigil hunt --iocs "$T/new-hash-iocs.txt" --store "$T/text.db"
check "hunt on a damaged store: exit 2" 2 "$rc"

# an archive: its members' results are not stored, so the re-sweep reads
# it again instead of answering for the archive alone (and losing the
# member's finding)
if command -v zip >/dev/null 2>&1; then
	Z=$T/ztree
	mkdir -p "$Z/in"
	printf 'member payload for the store test\n' >"$Z/in/m.dll"
	msha=$(sha256sum <"$Z/in/m.dll" | cut -d' ' -f1)
	printf '%s;member hash\n' "$msha" >"$T/member-hash-iocs.txt"
	(cd "$Z/in" && zip -q ../a.zip m.dll) && rm -r "$Z/in"
	for round in first second; do
		run_vigil scan --no-builtin --json --store "$T/z.db" \
			--iocs "$T/member-hash-iocs.txt" "$Z"
		check "archive, $round sweep: exit 1" 1 "$rc"
		check "archive, $round sweep: the member's hash finding" "$Z/a.zip!/m.dll" \
			"$(jq -r 'select(.type == "file" and (.findings | length) > 0) | .path' <"$T/out")"
	done
	check "archive, second sweep: the archive was read again" "1 0" \
		"$(jq -r 'select(.type == "summary") | "\(.files_read) \(.files_reused)"' <"$T/out")"
else
	echo "skip: zip not installed: the archive case"
fi

# two roots that are one file (a symlink named as a root is followed): the
# store keeps one row for it; the re-sweep answers the root that wrote it
# last from that row, with its one finding, not one per root (it was
# loaded once per root)
mkdir -p "$T/same"
printf 'one file, two roots\n' >"$T/same/hit.bin"
ln -s "$T/same/hit.bin" "$T/same/hit.link"
printf '%s;same file\n' "$(sha256sum <"$T/same/hit.bin" | cut -d' ' -f1)" >"$T/same-iocs.txt"
for pass in 1 2; do
	run_vigil scan --threads 1 --no-builtin --json --iocs "$T/same-iocs.txt" \
		"$T/same/hit.link" "$T/same/hit.bin"
	check "two roots, one file, sweep $pass: one finding each" "1 1" \
		"$(jq -r 'select(.type == "file") | .findings | length' "$T/out" | tr '\n' ' ' | sed 's/ $//')"
done

finish
