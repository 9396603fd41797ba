#!/bin/sh
# Differential test against the yara CLI: on the same rules and tree, the set
# of (file, rule) pairs vigil reports equals what `yara -r -N` reports.
# Rules: the project's own test rules (strings, hex, regex, wide, nocase,
# modules, counts, offsets), rules that vigil leaves out of the rules for
# files that cannot match them (first bytes: lib/rules_split.c) next to
# rules it must keep, and, when present, the whole signature-base set.
. "$(dirname "$0")/lib/common.sh"
need yara
need jq

D=$T/tree
mkdir -p "$D/bin" "$D/web" "$D/misc"
# a sample of real binaries, and benign look-alike text that rules match
for f in /usr/bin/ls /usr/bin/cp /usr/bin/env /usr/bin/sha256sum /usr/bin/yara; do
	[ -f "$f" ] && cp "$f" "$D/bin/"
done
printf '<?php eval($_POST["cmd"]); ?>\n' >"$D/web/a.php"
printf '<?php @eval(base64_decode($_REQUEST["x"])); system($_GET["c"]); ?>\n' >"$D/web/b.php"
printf 'mimikatz sekurlsa::logonpasswords\n' >"$D/misc/notes.txt"
printf 'MZ\220\0\3\0\0\0\4\0\0\0\377\377\0\0 hello mimikatz' >"$D/misc/mz.bin"
printf '<?php echo "hello"; eval($x); ?>\n' >"$D/web/c.php"
printf 'M' >"$D/misc/one-byte"
printf 'MZ' >"$D/misc/mz-only"
printf 'Hello WORLD hello world h\0e\0l\0l\0o\0\0\0 abc123def 0xdeadbeef\n' >"$D/misc/mixed.txt"
head -c 65536 /dev/urandom >"$D/misc/random.bin"
# files around VIGIL_RULES_LARGE_FILE (1 MiB), where the rules for large
# files leave out those requiring a smaller file
mkblob() { # NAME SIZE HEAD: HEAD, "hello world", zeros up to SIZE bytes
	{ printf "$3"; printf 'hello world'; head -c "$2" /dev/zero; } | head -c "$2" >"$D/misc/$1"
}
mkblob big-other.bin 1048576 ''
mkblob just-small.bin 1048575 ''
mkblob big-mz.bin 1048576 'MZ'
mkblob big-elf.bin 2097152 '\177ELF'
mkblob small-elf.bin 1048575 '\177ELF'
: >"$D/misc/empty"

cat >"$T/own.yar" <<'EOT'
import "math"
rule text_plain { strings: $a = "hello world" condition: $a }
rule text_nocase { strings: $a = "hello world" nocase condition: #a >= 2 }
rule text_wide { strings: $a = "hello" wide condition: $a }
rule hex_jump { strings: $h = { 61 62 63 [2-4] 64 65 66 } condition: $h }
rule regex_hex { strings: $r = /0x[0-9a-f]{8}/ condition: $r }
rule mz_header { condition: uint16(0) == 0x5A4D }
rule elf_header { condition: uint32(0) == 0x464C457F and filesize > 1KB }
rule high_entropy { condition: filesize > 1KB and math.entropy(0, filesize) > 7.9 }
rule at_offset { strings: $p = "<?php" condition: $p at 0 }
rule empty_file { condition: filesize == 0 }
// rules for one kind of file only: left out of the other kinds' rules
rule mz_str { strings: $a = "hello" condition: uint16(0) == 0x5a4d and $a }
rule mz_nested { strings: $a = "hello" condition: ($a and (filesize < 1MB and uint16be(0) == 0x4d5a)) }
rule elf_str { strings: $a = "GLIBC" condition: uint32be(0) == 0x7f454c46 and $a }
rule elf16 { strings: $a = "GLIBC" condition: 0x457f == uint16(0) and #a > 1 }
rule php_magic { strings: $a = "eval" condition: uint32(0) == 0x68703f3c and $a }
rule m_byte { condition: uint8(0) == 0x4d and filesize < 2 }
// rules that need a file below a size: left out of the large files' rules
rule small_1mb { strings: $a = "hello world" condition: filesize < 1MB and $a }
rule small_le { strings: $a = "hello world" condition: $a and (filesize <= 1048575 and true) }
rule small_swapped { strings: $a = "hello world" condition: 1024KB > filesize and $a }
rule small_hex { condition: filesize < 0x100000 and filesize > 1000 }
// size rules that must stay in the large files' rules
rule size_le_1mb { strings: $a = "hello world" condition: filesize <= 1MB and $a }
rule size_2mb { strings: $a = "hello world" condition: filesize < 2MB and $a }
rule size_or { strings: $a = "hello world" condition: filesize < 1MB or $a }
rule size_not { strings: $a = "hello world" condition: not filesize < 1MB and $a }
rule size_gt { strings: $a = "hello world" condition: filesize > 1MB and $a }
// rules that must stay in every kind's rules
private rule is_mz { condition: uint16(0) == 0x5a4d }
rule uses_private { strings: $a = "hello" condition: is_mz or $a }
rule mz_or { strings: $a = "mimikatz" condition: uint16(0) == 0x5a4d or $a }
rule mz_and_or { strings: $a = "hello" $b = "mimikatz" condition: uint16(0) == 0x5a4d and $a or $b }
rule mz_not { strings: $a = "hello" condition: not uint16(0) == 0x5a4d and $a }
rule mz_masked { strings: $a = "hello" condition: uint16(0) == 0x5a4d & 0xffff and $a }
EOT
# rules for MZ files only: ELF and other files then have no rule at all and
# are examined without YARA (lib/scan/match.c)
cat >"$T/mz_only.yar" <<'EOT'
rule mz_hello { strings: $a = "hello" condition: uint16(0) == 0x5a4d and $a }
rule mz_mimikatz { strings: $a = "mimikatz" condition: uint16(0) == 0x5a4d and $a }
EOT
# a module only the MZ rule uses: the other sets drop the import too
cat >"$T/pe_import.yar" <<'EOT'
import "pe"
rule pe_sections { condition: uint16(0) == 0x5a4d and pe.number_of_sections < 100 }
rule pe_hello { strings: $a = "hello" condition: $a }
EOT
# a global rule requiring MZ: without it every file with "hello" would match
cat >"$T/global.yar" <<'EOT'
global rule only_mz { condition: uint16(0) == 0x5a4d }
rule hello_in_mz { strings: $a = "hello" condition: $a }
EOT

compare() {
	name=$1
	shift
	yara -r -N -p 2 -d filename=x -d filepath=x -d extension=x -d filetype=x \
		-d owner=x -d md5=x "$@" "$D" 2>"$T/yara.err" |
		awk '{ r=$1; $1=""; sub(/^ /, ""); print $0 "|" r }' | sort >"$T/yara.pairs"
	rules=""
	for r in "$@"; do rules="$rules --rules $r"; done
	# shellcheck disable=SC2086
	run_vigil scan --no-builtin --no-checks --json $rules "$D"
	jq -r 'select(.type=="file") | .path as $p | .findings[] |
		select(.kind=="yara") | "\($p)|\(.id)"' "$T/out" | sort >"$T/vigil.pairs"
	n=$(wc -l <"$T/yara.pairs")
	if [ "$n" -eq 0 ]; then
		not_ok "$name: yara reported nothing, the comparison would prove nothing"
		return
	fi
	if cmp -s "$T/yara.pairs" "$T/vigil.pairs"; then
		ok "$name: $n (file, rule) pairs identical"
	else
		not_ok "$name: pairs differ"
		diff "$T/yara.pairs" "$T/vigil.pairs" | head -20
	fi
}

compare "own rules" "$T/own.yar"
# yara -r puts all its rule files in one namespace, where a global rule
# would gate the others too; vigil gives each file its own
compare "global rule" "$T/global.yar"
compare "MZ-only rules" "$T/mz_only.yar"
compare "module import used by MZ rules only" "$T/pe_import.yar"
run_vigil scan --verbose --json --no-builtin --no-checks --rules "$T/mz_only.yar" "$D"
nfiles=$(find "$D" -type f | wc -l)
got=$(jq -r 'select(.type=="summary") | "\(.files_seen) \(.files_scanned) \([.errors[]] | add) \(.skipped["too-large"])"' "$T/out")
if grep -q 'by first bytes: MZ files 2, ELF files 0, other files 0$' "$T/err" &&
	[ "$got" = "$nfiles $nfiles 0 0" ]; then
	ok "classes without rules: every file scanned, none an error"
else
	not_ok "classes without rules: expected $nfiles files scanned, no error: $got"
	cat "$T/err"
fi
run_vigil scan --verbose --no-builtin --no-checks --rules "$T/own.yar" --rules "$T/global.yar" /dev/null
# 33 rules, the private one included. ELF files lose mz_header, mz_str,
# mz_nested, php_magic and m_byte; other files the three MZ ones and
# elf_header, elf_str (elf16 requires only "\x7fE": kept). is_mz is kept
# (another rule refers to it), only_mz too (global). Files of 1 MiB or
# more lose the four small_* rules besides, and those with a bound among
# the others (m_byte, mz_nested); large MZ files, whose rules are compiled
# anyway, also lose the rules for other first bytes (elf_header, elf_str,
# elf16, php_magic).
if grep -q 'by first bytes: MZ files 33, ELF files 28, other files 28$' "$T/err" &&
	grep -q 'for files of 1 MiB or more: MZ files 23, ELF files 24, other files 23$' "$T/err"; then
	ok "per-class rules: the file-kind-only rules are left out where they cannot match"
else
	not_ok "per-class rules: unexpected counts"
	cat "$T/err"
fi
SB=${VIGIL_TEST_SRC:-.}/../shared/corpora/signature-base/yara
if [ -d "$SB" ]; then
	# shellcheck disable=SC2046
	compare "signature-base" $(ls "$SB"/*.yar)
else
	echo "skip: signature-base corpus not found at $SB"
fi
finish
