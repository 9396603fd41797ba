#!/bin/sh
# The built-in 3CX content pack (content/3cx) against benign look-alikes
# written by tests/tools/mk3cx.c:
#  1. with the built-in content, the exact set of (file, kind, id) findings
#     is content_3cx.expected: every positive fires with the intended IOC or
#     rule, and no near miss fires at all;
#  2. with --no-builtin the same tree yields nothing;
#  3. a test-only hash IOC file naming one fixture's SHA-256 fires on that
#     file alone (published sample hashes cannot be hit by benign fixtures);
#  4. the pack does not fire on itself, on the docs or on the generator.
# Structural tampering checks are turned off (--no-checks): their findings
# on the PE fixtures belong to their own tests.
set -u

fail() {
	echo "content_3cx: FAIL: $*" >&2
	exit 1
}

: "${VIGIL:?}" "${VIGIL_TEST_SRC:?}" "${VIGIL_TEST_BIN:?}" "${VIGIL_TEST_TMP:?}"
MK="$VIGIL_TEST_BIN/mk3cx"
FINDINGS="$VIGIL_TEST_BIN/jsonl_findings"
for t in "$MK" "$FINDINGS"; do
	[ -x "$t" ] || { echo "content_3cx: skip: $t not built"; exit 77; }
done

T="$VIGIL_TEST_TMP/content_3cx"
FIX="$T/fix"
rm -rf "$T" && mkdir -p "$T" || fail "cannot create $T"
"$MK" "$FIX" || fail "mk3cx could not write the fixtures"
VIGIL_CONTENT_DIR="$VIGIL_TEST_SRC/content"
export VIGIL_CONTENT_DIR
export LC_ALL=C

# 1. built-in content: exactly the expected findings
"$VIGIL" scan --json --no-checks "$FIX" >"$T/builtin.jsonl" 2>"$T/builtin.err"
rc=$?
[ "$rc" -eq 1 ] || { cat "$T/builtin.err" >&2; fail "scan with built-in content: exit $rc, expected 1"; }
"$FINDINGS" "$FIX/" <"$T/builtin.jsonl" | sort >"$T/builtin.got" ||
	fail "unreadable JSON output"
sort "$VIGIL_TEST_SRC/tests/e2e/content_3cx.expected" >"$T/builtin.want"
diff -u "$T/builtin.want" "$T/builtin.got" >&2 ||
	fail "findings differ from content_3cx.expected (- expected, + got)"

# 2. --no-builtin: nothing at all
"$VIGIL" scan --json --no-checks --no-builtin "$FIX" >"$T/none.jsonl" 2>"$T/none.err"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/none.err" >&2; fail "scan --no-builtin: exit $rc, expected 0"; }
"$FINDINGS" "$FIX/" <"$T/none.jsonl" >"$T/none.got" || fail "unreadable JSON output"
[ ! -s "$T/none.got" ] || { cat "$T/none.got" >&2; fail "findings with --no-builtin"; }

# 3. a hash IOC fires: this file is otherwise quiet (a near miss above)
target="downloads/3CXDesktopApp-18.12.422.msi"
sha=$(openssl dgst -sha256 -r "$FIX/$target" | cut -d' ' -f1)
[ ${#sha} -eq 64 ] || fail "cannot hash $target"
mkdir -p "$T/iocs"
printf '# test-only IOC\n%s;80;benign fixture (ref: tests/e2e/content_3cx.sh)\n' \
	"$sha" >"$T/iocs/hash-iocs.txt"
"$VIGIL" scan --json --no-checks --no-builtin --iocs "$T/iocs" "$FIX" \
	>"$T/hash.jsonl" 2>"$T/hash.err"
rc=$?
[ "$rc" -eq 1 ] || { cat "$T/hash.err" >&2; fail "scan with the test hash IOC: exit $rc, expected 1"; }
"$FINDINGS" "$FIX/" <"$T/hash.jsonl" >"$T/hash.got" || fail "unreadable JSON output"
printf '%s\thash\t%s\n' "$target" "$sha" >"$T/hash.want"
diff -u "$T/hash.want" "$T/hash.got" >&2 || fail "test hash IOC did not fire alone on $target"

# 4. the pack is quiet on itself, the docs and the fixture generator
set -- "$VIGIL_TEST_SRC/content" "$MK"
[ -d "$VIGIL_TEST_SRC/docs" ] && set -- "$@" "$VIGIL_TEST_SRC/docs"
"$VIGIL" scan --no-checks --min-score 1 "$@" >"$T/self.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/self.out" >&2; fail "the pack fires on its own files (exit $rc)"; }

echo "content_3cx: ok ($(wc -l <"$T/builtin.got") findings on $(find "$FIX" -type f | wc -l) fixtures)"
# The fixtures imitate the attack, and a sweep of a default root (a clone
# under /home, /root or /tmp) would report them: kept only on failure.
rm -rf "$T"
exit 0
