#!/bin/sh
# The 3CX pack's rules are plain YARA 4.2: the stock `yara` tool, given the
# Loki externals (filename = the base name, as vigil and Loki define it),
# reports the same rule matches on the mk3cx fixtures as vigil does (the yara
# lines of content_3cx.expected). Guards users who run the rules with
# yara, Loki or THOR instead of vigil. Skips when `yara` is not installed.
set -u

fail() {
	echo "content_yara_cli: FAIL: $*" >&2
	exit 1
}

: "${VIGIL_TEST_SRC:?}" "${VIGIL_TEST_BIN:?}" "${VIGIL_TEST_TMP:?}"
command -v yara >/dev/null 2>&1 || { echo "content_yara_cli: skip: no yara tool"; exit 77; }
[ -x "$VIGIL_TEST_BIN/mk3cx" ] || { echo "content_yara_cli: skip: mk3cx not built"; exit 77; }

T="$VIGIL_TEST_TMP/content_yara_cli"
FIX="$T/fix"
rm -rf "$T" && mkdir -p "$T" || fail "cannot create $T"
"$VIGIL_TEST_BIN/mk3cx" "$FIX" || fail "mk3cx could not write the fixtures"
export LC_ALL=C

: >"$T/got"
(cd "$FIX" && find . -type f) | sed 's|^\./||' | sort >"$T/files"
while IFS= read -r f; do
	for r in "$VIGIL_TEST_SRC"/content/3cx/rules/*.yar; do
		yara -d filename="${f##*/}" -d filepath="$FIX/$f" -d extension= \
			-d filetype= -d owner= -d md5= "$r" "$FIX/$f" >"$T/one" ||
			fail "yara failed with $r on $f"
		while read -r rule _; do
			printf '%s\tyara\t%s\n' "$f" "$rule" >>"$T/got"
		done <"$T/one"
	done
done <"$T/files"
sort -o "$T/got" "$T/got"
grep "$(printf '\tyara\t')" "$VIGIL_TEST_SRC/tests/e2e/content_3cx.expected" | sort >"$T/want"
diff -u "$T/want" "$T/got" >&2 || fail "yara matches differ from content_3cx.expected (- expected, + got)"
echo "content_yara_cli: ok ($(wc -l <"$T/got") rule matches)"
# The fixtures imitate the attack, and a sweep of a default root (a clone
# under /home, /root or /tmp) would report them: kept only on failure.
rm -rf "$T"
