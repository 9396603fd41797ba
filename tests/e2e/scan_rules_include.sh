#!/bin/sh
# YARA `include` in --rules files: found wherever YARA's lexer finds it (not
# only at the start of a line), resolved next to the including file (never
# against the working directory), limited to regular files (a FIFO fails at
# once, naming it), to relative names, and bounded in depth, cycles and
# count; the cache covers every included file, so a changed included file
# is always compiled again.
. "$(dirname "$0")/lib/common.sh"
need jq
need timeout
export VIGIL_CACHE_DIR="$T/cache"
mkdir -p "$T/d" "$T/rules/sub" "$T/cwd/sub"
printf 'alpha beta gamma\n' >"$T/d/f.txt"

# findings of the last run, sorted, on one line
ids() { jq -r 'select(.type=="file") | .findings[].id' "$T/out" | sort | tr '\n' ' '; }
cached() { grep -c 'taken from the cache' "$T/err" || true; }
# scan from $T/cwd, so that anything resolved against the working directory
# shows (10 s: a hang is a failure, not a stuck test)
scan() {
	rc=0
	(cd "$T/cwd" && timeout 10 "$VIGIL" scan -v --no-builtin --json --rules "$@" "$T/d") \
		>"$T/out" 2>"$T/err" || rc=$?
}

# The planted twin in the working directory matches "alpha" too: if it were
# compiled, its rule would show.
printf 'rule planted { strings: $a = "alpha" condition: $a }\n' >"$T/cwd/sub/inc.txt"
printf 'rule planted_top { strings: $a = "alpha" condition: $a }\n' >"$T/cwd/top.yar"

# 1. An indented include: recognised, resolved next to the including file,
# and a change to the included file is compiled.
printf 'rule inc_alpha { strings: $a = "alpha" condition: $a }\n' >"$T/rules/sub/inc.txt"
printf '\tinclude "sub/inc.txt"\nrule main { strings: $a = "gamma" condition: $a }\n' >"$T/rules/indent.yar"
scan "$T/rules/indent.yar"
check "indented include: exit" 1 "$rc"
check "indented include: resolved next to the including file" "inc_alpha main " "$(ids)"
scan "$T/rules/indent.yar"
check "indented include: unchanged, cached" 1 "$(cached)"
check "indented include: same findings from the cache" "inc_alpha main " "$(ids)"
printf 'rule inc_beta { strings: $a = "beta" condition: $a }\n' >"$T/rules/sub/inc.txt"
scan "$T/rules/indent.yar"
check "changed included file: recompiled" 0 "$(cached)"
check "changed included file: in effect" "inc_beta main " "$(ids)"
scan "$T/rules/indent.yar"
check "changed included file: cached again" "1 inc_beta main " "$(cached) $(ids)"

# 2. An include after a rule on the same line, as YARA's lexer reads it.
printf 'rule first { condition: false } include "sub/inc.txt"\n' >"$T/rules/inline.yar"
scan "$T/rules/inline.yar"
check "include after a rule on its line: resolved next to the file" "inc_beta " "$(ids)"

# 3. A rule file named without a directory, compiled from another working
# directory's view: the include still resolves next to the rule file.
printf 'include "top2.yar"\n' >"$T/rules/bare.yar"
printf 'rule top2 { strings: $a = "alpha" condition: $a }\n' >"$T/rules/top2.yar"
printf 'rule planted_top2 { strings: $a = "alpha" condition: $a }\n' >"$T/cwd/top2.yar"
rc=0
(cd "$T/rules" && timeout 10 "$VIGIL" scan --no-builtin --json --rules bare.yar "$T/d") \
	>"$T/out" 2>"$T/err" || rc=$?
check "bare rule file name: include next to it" "1 top2 " "$rc $(ids)"

# 4. Nested includes resolve next to the file that names them; the same
# name in two directories is two files.
mkdir -p "$T/rules/x" "$T/rules/y"
printf 'include "x/m.yar"\ninclude "y/m.yar"\n' >"$T/rules/nested.yar"
printf 'include "c.yar"\n' >"$T/rules/x/m.yar"
printf 'include "c.yar"\n' >"$T/rules/y/m.yar"
printf 'rule cx { strings: $a = "alpha" condition: $a }\n' >"$T/rules/x/c.yar"
printf 'rule cy { strings: $a = "beta" condition: $a }\n' >"$T/rules/y/c.yar"
printf 'rule planted_c { strings: $a = "alpha" condition: $a }\n' >"$T/rules/c.yar"
cp "$T/rules/c.yar" "$T/cwd/c.yar"
scan "$T/rules/nested.yar"
check "nested includes: each next to its includer" "1 cx cy " "$rc $(ids)"
scan "$T/rules/nested.yar"
check "nested includes: cached" "1 cx cy " "$(cached) $(ids)"
printf 'rule cy2 { strings: $a = "gamma" condition: $a }\n' >"$T/rules/y/c.yar"
scan "$T/rules/nested.yar"
check "changed nested include: recompiled" "0 cx cy2 " "$(cached) $(ids)"

# The cached compilation of sources that include is used only while
# every included file reads the same: a damaged manifest is removed, a
# deleted included file is reported by the compilation, an included file
# turned into a FIFO does not block the cache's check.
rm -rf "$T/cache"
scan "$T/rules/nested.yar"
scan "$T/rules/nested.yar"
check "nested includes: cached again" "1 cx cy2 " "$(cached) $(ids)"
# shellcheck disable=SC2010 # the cache holds only files vigil names (hex keys)
manifest=$(ls "$T/cache/rules" 2>/dev/null | grep '\.inc$' || true)
check "one manifest is kept" 1 "$(printf '%s\n' "$manifest" | grep -c . || true)"
[ -z "$manifest" ] ||
	printf 'x' | dd of="$T/cache/rules/$manifest" bs=1 seek=60 conv=notrunc 2>/dev/null
scan "$T/rules/nested.yar"
check "damaged manifest: compiled, removed" "0 1 cx cy2 " \
	"$(cached) $(grep -c 'damaged compiled rules removed' "$T/err" || true) $(ids)"
scan "$T/rules/nested.yar"
check "damaged manifest: repaired" "1 cx cy2 " "$(cached) $(ids)"
mv "$T/rules/y/c.yar" "$T/rules/y/c.yar.away"
scan "$T/rules/nested.yar"
check "deleted included file: not from the cache" "2 0" "$rc $(cached)"
check "deleted included file: named" 1 "$(grep -c "rules/y/c.yar.*No such file" "$T/err" || true)"
mkfifo "$T/rules/y/c.yar"
scan "$T/rules/nested.yar"
check "included file now a FIFO: exit 2, no hang" 2 "$rc"
rm "$T/rules/y/c.yar"
mv "$T/rules/y/c.yar.away" "$T/rules/y/c.yar"
scan "$T/rules/nested.yar"
check "included file back: from the cache" "1 cx cy2 " "$(cached) $(ids)"

# 5. An include of a FIFO fails at once, naming it (it would block forever
# in open(2) otherwise).
mkfifo "$T/rules/sub/pipe"
printf 'include "sub/pipe"\nrule main { condition: true }\n' >"$T/rules/fifo.yar"
scan "$T/rules/fifo.yar"
check "include of a FIFO: exit 2, no hang" 2 "$rc"
check "include of a FIFO: named" 1 "$(grep -c "sub/pipe.*not a regular file" "$T/err" || true)"
DEV=$(char_device)
if [ -n "$DEV" ]; then
	printf 'include "../../../../../../../../../..%s"\n' "$DEV" >"$T/rules/dev.yar"
	scan "$T/rules/dev.yar"
	check "include of a device: exit 2" 2 "$rc"
	check "include of a device: named" 1 "$(grep -c "${DEV#/}.*not a regular file" "$T/err" || true)"
else
	echo "skip: no character device here"
fi

# A FIFO named by --rules itself fails at once too.
mkfifo "$T/rules/pipe.yar"
scan "$T/rules/pipe.yar"
check "--rules FIFO: exit 2, no hang" 2 "$rc"
check "--rules FIFO: named" 1 "$(grep -c "pipe.yar.*not a regular file" "$T/err" || true)"

# 6. Absolute include names are refused.
printf 'include "%s"\n' "$T/rules/sub/inc.txt" >"$T/rules/abs.yar"
scan "$T/rules/abs.yar"
check "absolute include: exit 2" 2 "$rc"
check "absolute include: said" 1 "$(grep -c 'absolute include path not allowed' "$T/err" || true)"

# 7. Cycles and runaway fan-out end with an error, quickly.
printf 'include "cyc2.yar"\n' >"$T/rules/cyc1.yar"
printf 'include "./cyc1.yar"\n' >"$T/rules/cyc2.yar"
scan "$T/rules/cyc1.yar"
check "include cycle: exit 2" 2 "$rc"
check "include cycle: said" 1 "$(grep -c 'include cycle' "$T/err" || true)"
# f0 includes f1 four times (under four names), f1 includes f2 four
# times, ... : 4^12 inclusions if nothing stops it
mkdir -p "$T/rules/fan"
i=0
while [ $i -lt 12 ]; do
	n=$((i + 1))
	printf 'include "f%d.yar"\ninclude "./f%d.yar"\ninclude "././f%d.yar"\ninclude "./././f%d.yar"\n' \
		$n $n $n $n >"$T/rules/fan/f$i.yar"
	i=$n
done
: >"$T/rules/fan/f12.yar"
scan "$T/rules/fan/f0.yar"
check "include fan-out: exit 2, no hang" 2 "$rc"
check "include fan-out: said" 1 "$(grep -c 'too many includes' "$T/err" || true)"

# 8. A missing include names what was looked for.
printf 'include "nothere.yar"\n' >"$T/rules/missing.yar"
scan "$T/rules/missing.yar"
check "missing include: exit 2" 2 "$rc"
check "missing include: named next to the includer" 1 \
	"$(grep -c "rules/nothere.yar.*No such file" "$T/err" || true)"
finish
