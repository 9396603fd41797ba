#!/bin/sh
# Files that change while vigil reads them (issue: "growing or shrinking
# files ... counted or reported, the sweep goes on"). A preloaded fstat()
# shim (tests/preload/fake_size.c) makes `x.grows` look one byte shorter
# than it is and `x.shrinks` 100 bytes longer, as a writer between fstat()
# and read() would. Asserts: both are reported with error "changed" and the
# reason, the summary counts 2 changed files, what was read is still
# examined (a hash IOC of the shrunk file's real content fires), a normal
# file beside them is untouched, and the exit status is the findings' (1).
set -u
. "$VIGIL_TEST_SRC/tests/e2e/lib/common.sh"
SHIM="$VIGIL_TEST_BIN/fake_size.so"
[ -f "$SHIM" ] || { echo "skip: $SHIM not built (Linux only)"; exit 77; }
need jq

mkdir -p "$T/tree"
head -c 5000 /dev/urandom >"$T/tree/a.grows"
head -c 5000 /dev/urandom >"$T/tree/b.shrinks"
printf 'plain file\n' >"$T/tree/c.txt"
sha=$(sha256sum "$T/tree/b.shrinks" | cut -d' ' -f1)
printf '%s;shrunk file content (test)\n' "$sha" >"$T/hash-iocs.txt"

rec() { jq -r --arg p "$T/tree/$1" "select(.type == \"file\" and .path == \$p) | $2" "$T/out"; }
# An ASan build checks that its runtime comes first; the shim is harmless.
# With --no-checks and no rules nothing but the digests reads the bytes and
# files are not kept in memory (lib/source/readfile.c): the same reports.
for mode in "" --no-checks; do
	rc=0
	# shellcheck disable=SC2086
	LD_PRELOAD="$SHIM" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$VIGIL" scan --no-builtin $mode --json --iocs "$T/hash-iocs.txt" "$T/tree" >"$T/out" 2>"$T/err" || rc=$?
	m=${mode:-default}
	check "$m: exit status (a hash IOC fired)" 1 "$rc"
	check "$m: grown file: error" changed "$(rec a.grows .error)"
	check "$m: shrunk file: error" changed "$(rec b.shrinks .error)"
	check "$m: shrunk file still examined" "$sha" "$(rec b.shrinks '.findings[] | select(.kind == "hash") | .id')"
	check "$m: summary counts 2 changed" 2 "$(jq -r 'select(.type == "summary") | .errors.changed' "$T/out")"
	check "$m: normal file untouched" "" "$(rec c.txt '.error // empty')"
	check "$m: files scanned" 3 "$(jq -r 'select(.type == "summary") | .files_scanned' "$T/out")"
	check "$m: none too large" 0 "$(jq -r 'select(.type == "summary") | .skipped["too-large"]' "$T/out")"
done

# text output names the reason
rc=0
LD_PRELOAD="$SHIM" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	"$VIGIL" scan --no-builtin -v "$T/tree" >"$T/out" 2>"$T/err" || rc=$?
check "text exit status" 0 "$rc"
grep -q "grew while read" "$T/out" "$T/err" || not_ok "text output lacks 'grew while read'"
grep -q "shrank while read" "$T/out" "$T/err" || not_ok "text output lacks 'shrank while read'"
finish
