#!/bin/sh
# vigil scan end to end on a tree built here: hash IOCs of each length, a
# file-name IOC and one suppressed by its false-positive regex, a YARA rule
# using the filename external, an excluded directory, a symlink loop, an
# empty file and a name with a newline. Asserts exact findings, exit codes
# and the JSON schema.
. "$(dirname "$0")/lib/common.sh"
need jq

D=$T/tree
mkdir -p "$D/sub" "$D/a/drop" "$D/safe/drop" "$D/excluded" "$D/loop"
printf 'md5 hit content\n' >"$D/md5hit.bin"
printf 'sha1 hit content\n' >"$D/sha1hit.bin"
printf 'sha256 hit content\n' >"$D/sub/sha256hit.bin"
printf 'benign\n' >"$D/sub/evil_tool.exe"
printf 'benign\n' >"$D/a/drop/x.dll"
printf 'benign\n' >"$D/safe/drop/y.dll"
printf 'VIGIL_TEST_MARKER\n' >"$D/trigger.txt"
printf 'VIGIL_TEST_MARKER\n' >"$D/other.txt"
cp "$D/md5hit.bin" "$D/excluded/copy.bin"
: >"$D/empty"
cp "$D/md5hit.bin" "$D/new
line.bin"
ln -s . "$D/loop/self"
cp "$D/md5hit.bin" "$D/bad$(printf '\377\376')name.bin"

md5=$(md5sum <"$D/md5hit.bin" | cut -d' ' -f1)
sha1=$(sha1sum <"$D/sha1hit.bin" | cut -d' ' -f1)
sha256=$(sha256sum <"$D/sub/sha256hit.bin" | cut -d' ' -f1)
mkdir "$T/iocs"
cat >"$T/iocs/test-hash-iocs.txt" <<EOT
# md5 test IOC
$md5;MD5 test; comment with ; inside
$sha1;90;SHA-1 test
$(echo "$sha256" | tr a-f A-F);SHA-256 test
not-a-hash;broken line
EOT
printf '# tool name\r\n\\\\sub\\\\evil_tool\\.exe$;70\r\n\\\\drop\\\\[^\\\\]+\\.dll$;65;(?i)\\\\safe\\\\\r\n' \
	>"$T/iocs/test-filename-iocs.txt"
cat >"$T/rules.yar" <<'EOT'
rule filename_external {
  meta:
    score = 55
    description = "marker in a file named trigger.txt"
  strings:
    $m = "VIGIL_TEST_MARKER"
  condition:
    $m and filename == "trigger.txt"
}
EOT

run_vigil scan --no-builtin --json --iocs "$T/iocs" --rules "$T/rules.yar" \
	--exclude "$D/excluded" "$D"
check "exit 1 with findings" 1 "$rc"
got=$(jq -r --arg d "$D/" 'select(.type=="file" and (.findings|length)>0) |
		(.path|ltrimstr($d)|gsub("\n";"<NL>")) as $p | .findings[] | "\($p)|\(.kind)|\(.id)|\(.score)"' "$T/out" | sort)
# JSON paths are exact when UTF-8 (the newline is JSON's \n); a name that
# is not UTF-8 shows U+FFFD and carries its bytes in path_b64
fffd=$(printf '\357\277\275')
want=$(sort <<EOT
md5hit.bin|hash|$md5|100
new<NL>line.bin|hash|$md5|100
bad$fffd${fffd}name.bin|hash|$md5|100
sha1hit.bin|hash|$sha1|90
sub/sha256hit.bin|hash|$sha256|100
sub/evil_tool.exe|filename|\\\\sub\\\\evil_tool\\.exe$|70
a/drop/x.dll|filename|\\\\drop\\\\[^\\\\]+\\.dll$|65
trigger.txt|yara|filename_external|55
EOT
)
check "exact findings" "$want" "$got"
check "malformed IOC line reported with file and line" 1 \
	"$(grep -c 'test-hash-iocs.txt:5: warning' "$T/err" || true)"
check "comment with ';' kept" "MD5 test; comment with ; inside" \
	"$(jq -r 'select(.type=="file" and (.path|endswith("/md5hit.bin"))) | .findings[0].message' "$T/out")"
check "every record has schema 2" 0 "$(jq -c 'select(.schema != 2)' "$T/out" | wc -l)"
check "path_b64 holds the raw bytes of a name that is not UTF-8" \
	"$(printf '%s' "$D/bad$(printf '\377\376')name.bin" | od -An -tx1)" \
	"$(jq -r 'select(.path_b64) | .path_b64' "$T/out" | base64 -d | od -An -tx1)"
check "path_b64 only where the name is not UTF-8" 1 "$(jq -c 'select(.path_b64)' "$T/out" | wc -l)"
check "last record is the summary" summary "$(tail -n 1 "$T/out" | jq -r .type)"
check "file records carry the schema fields" "" "$(jq -r 'select(.type=="file" and (.findings|length)>0) |
	[has("path","size","md5","sha1","sha256","score","level","findings","skip","error")] | all | select(. == false)' "$T/out")"
check "excluded directory counted" 1 "$(tail -n 1 "$T/out" | jq .excluded)"
check "symlink skipped, not followed" 1 "$(tail -n 1 "$T/out" | jq .skipped.symlink)"
check "level from score" alert "$(jq -r 'select(.type=="file" and (.path|endswith("/md5hit.bin"))) | .level' "$T/out")"
check "empty file scanned without finding" "" "$(jq -r 'select(.type=="file" and (.path|endswith("/empty"))) | .path' "$T/out")"

# the same sweep as text: blocks strongest first, name escaped
run_vigil scan --no-builtin --iocs "$T/iocs" --rules "$T/rules.yar" --exclude "$D/excluded" "$D"
check "text exit 1" 1 "$rc"
check "text shows the escaped newline name" 1 "$(grep -c 'new\\nline.bin' "$T/out")"
check "text: first block is an alert" alert "$(head -n 1 "$T/out" | cut -d' ' -f1)"
check "text: summary present" 1 "$(grep -c -- '--- summary ---' "$T/out")"

# following symlinks: the loop is detected, the sweep ends
run_vigil scan --no-builtin --json --follow-symlinks --iocs "$T/iocs" "$D/loop"
check "loop with --follow-symlinks ends, exit 0" 0 "$rc"
check "loop counted" 1 "$(tail -n 1 "$T/out" | jq .errors.loop)"

# min-score above every finding: exit 0
run_vigil scan --no-builtin --min-score 100 --json --iocs "$T/iocs" "$D/sha1hit.bin"
check "--min-score 100 above a 90 finding: exit 0" 0 "$rc"

# errors that stop the sweep: exit 2 before any file is read
printf 'rule broken {\n condition:\n  nosuchthing\n}\n' >"$T/broken.yar"
run_vigil scan --no-builtin --rules "$T/broken.yar" "$D"
check "rule that does not compile: exit 2" 2 "$rc"
check "compile error names file and line" 1 "$(grep -c 'broken.yar:3: error' "$T/err")"
check "nothing scanned" "" "$(cat "$T/out")"
run_vigil scan --threads 0 "$D"
check "bad option value: exit 2" 2 "$rc"
run_vigil scan --no-builtin --strict --iocs "$T/iocs" "$D"
check "--strict makes a malformed IOC line fatal" 2 "$rc"

# nothing found: exit 0
run_vigil scan --no-builtin "$D/empty"
check "clean: exit 0" 0 "$rc"

# unreadable file: counted, the sweep goes on (not as root: root reads all)
if [ "$(id -u)" -ne 0 ]; then
	chmod 000 "$D/sub/evil_tool.exe"
	run_vigil scan --no-builtin --json "$D/sub"
	check "permission error counted" 1 "$(tail -n 1 "$T/out" | jq .errors.permission)"
fi
finish
