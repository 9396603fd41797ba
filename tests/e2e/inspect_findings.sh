#!/bin/sh
# `vigil inspect` reports the findings `vigil scan` reports on the same file
# with the same content options: the (kind, id) sets of both commands' JSON
# are equal, for
#  1. an ELF built here with --iocs (its MD5 as a hash IOC, its name as a
#     file-name IOC), --rules (a YARA rule on its magic) and --no-builtin,
#     carrying random bytes appended after its data (VGL-ELF-APPENDED):
#     four findings of four kinds;
#  2. the same file without those options: the tamper finding only;
#  3. the look-alikes of tests/tools/mk3cx.c under the built-in content.
. "$(dirname "$0")/lib/common.sh"
need jq
CC=${CC:-cc}
need "$CC"

D=$T/tree
mkdir -p "$D/sub"
printf 'int main(void) { return 0; }\n' >"$T/p.c"
"$CC" -o "$D/sub/evil_tool.bin" "$T/p.c" || { echo "skip: '$CC' cannot build a program"; exit 77; }
head -c 4096 /dev/urandom >>"$D/sub/evil_tool.bin"
F=$D/sub/evil_tool.bin
md5=$(md5sum <"$F" | cut -d' ' -f1)
mkdir "$T/iocs"
printf '%s;inspect test hash\n' "$md5" >"$T/iocs/test-hash-iocs.txt"
printf '/sub/evil_tool\\.bin$;70\n' >"$T/iocs/test-filename-iocs.txt"
cat >"$T/rules.yar" <<'EOT'
rule inspect_test_elf_magic { condition: uint32(0) == 0x464c457f }
EOT

# set_of CMD ARGS...: the sorted "kind id" lines of the file's findings
set_of() {
	cmd=$1
	shift
	rc=0
	"$VIGIL" "$cmd" --json "$@" >"$T/out" 2>"$T/err" || rc=$?
	# the file's own record (not a member's, should scan list members)
	for last; do :; done
	jq -r --arg p "$last" 'select((.type == "file" or .type == "inspect") and .path == $p) |
		.findings[] | "\(.kind) \(.id)"' "$T/out" | sort
}

opts="--no-builtin --iocs $T/iocs --rules $T/rules.yar"
s=$(set_of scan $opts "$F")
check "scan: four findings with content" 4 "$(printf '%s\n' "$s" | grep -c .)"
check "scan: one of each kind" "filename hash tamper yara" \
	"$(printf '%s\n' "$s" | cut -d' ' -f1 | sort -u | tr '\n' ' ' | sed 's/ $//')"
scan_score=$(jq -r 'select(.type=="file") | .score' "$T/out")
set_of inspect $opts "$F" >"$T/set"
check "inspect: exit 1 (scored over 40)" 1 "$rc"
check "inspect: the (kind, id) set of scan" "$s" "$(cat "$T/set")"
check "inspect: the combined score of scan" "$scan_score" "$(jq -r .score "$T/out")"
"$VIGIL" inspect $opts "$F" >"$T/text" 2>&1 || :
check "inspect text: the YARA finding listed" 1 "$(grep -c 'inspect_test_elf_magic' "$T/text")"

s=$(set_of scan --no-builtin "$F")
check "scan without content: the tamper finding" "tamper VGL-ELF-APPENDED" "$s"
check "inspect without content: the same" "$s" "$(set_of inspect --no-builtin "$F")"

# the rules must compile, as in scan: exit 2 before any file is shown
printf 'rule broken {\n' >"$T/bad.yar"
rc=0
"$VIGIL" inspect --no-builtin --rules "$T/bad.yar" "$F" >"$T/out" 2>"$T/err" || rc=$?
check "inspect: rules that do not compile stop it (exit 2)" 2 "$rc"
check "inspect: nothing shown then" 0 "$(wc -c <"$T/out" | tr -d ' ')"

MK3CX="$VIGIL_TEST_BIN/mk3cx"
if [ -x "$MK3CX" ]; then
	VIGIL_CONTENT_DIR="$VIGIL_TEST_SRC/content"
	export VIGIL_CONTENT_DIR
	mkdir "$T/3cx"
	"$MK3CX" "$T/3cx" >/dev/null || { echo "mk3cx failed"; exit 1; }
	n=0
	find "$T/3cx" -type f >"$T/3cx.list"
	while IFS= read -r f; do
		s=$(set_of scan "$f")
		[ -n "$s" ] && n=$((n + 1))
		check "built-in content, ${f#"$T/3cx/"}: inspect's set is scan's" "$s" \
			"$(set_of inspect "$f")"
	done <"$T/3cx.list"
	[ "$n" -gt 3 ] && ok "built-in content: several look-alikes found" ||
		not_ok "built-in content: only $n look-alikes found"
fi
finish
