#!/bin/sh
# No silent "clean" exit: a root that does not exist, that is neither a
# file nor a directory, or that cannot be read is named on standard error
# and makes the run exit 2 once the other roots are swept (their findings
# are still reported); a run that wanted the built-in content and has no
# content at all (the content directory missing, no --iocs, no --rules)
# stops with exit 2, while --no-builtin, alone or with --no-checks, is a
# choice and sweeps.
. "$(dirname "$0")/lib/common.sh"
need jq

D=$T/tree
mkdir -p "$D"
printf 'known bad (test)\n' >"$D/hit.bin"
printf 'plain\n' >"$D/plain.txt"
sha=$(sha256sum <"$D/hit.bin" | cut -d' ' -f1)
printf '%s;test hash\n' "$sha" >"$T/test-hash-iocs.txt"
mkfifo "$T/fifo"

# 1. a missing root before a good one: named, the good one swept, exit 2
run_vigil scan --no-builtin --json --iocs "$T/test-hash-iocs.txt" "$T/missing" "$D"
check "missing root: exit 2" 2 "$rc"
check "missing root: named on stderr" 1 \
	"$(grep -c "^vigil: $T/missing: error: unable to sweep: No such file or directory\$" "$T/err" || true)"
check "missing root: the next root still swept (its hit)" "$sha" \
	"$(jq -r --arg p "$D/hit.bin" 'select(.type == "file" and .path == $p) | .findings[0].id' "$T/out")"
check "missing root: an error record for it" vanished \
	"$(jq -r --arg p "$T/missing" 'select(.type == "file" and .path == $p) | .error' "$T/out")"
check "missing root: a summary written" 2 \
	"$(jq -r 'select(.type == "summary") | .files_scanned' "$T/out")"

# text output too: the message is not held back for --verbose
run_vigil scan --no-builtin --iocs "$T/test-hash-iocs.txt" "$D" "$T/missing"
check "text, missing root last: exit 2" 2 "$rc"
check "text: named on stderr" 1 "$(grep -c "$T/missing: error: unable to sweep" "$T/err" || true)"
check "text: the hit still listed" 1 "$(grep -c "^alert.*$D/hit.bin\$" "$T/out" || true)"

# 2. a FIFO as root: not opened (would block), named, exit 2
run_vigil scan --no-builtin --iocs "$T/test-hash-iocs.txt" "$T/fifo"
check "FIFO root: exit 2" 2 "$rc"
check "FIFO root: named" 1 \
	"$(grep -c "$T/fifo: error: unable to sweep: not a regular file or directory" "$T/err" || true)"

# 3. unreadable roots (a directory and a file); root reads them anyway,
# so as root the run is made as nobody (setpriv)
mkdir "$T/closed"
printf 'x\n' >"$T/closed.txt"
chmod 000 "$T/closed" "$T/closed.txt"
as=
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
	setpriv --reuid=65534 --regid=65534 --clear-groups "$VIGIL" --version >/dev/null 2>&1; then
	as="setpriv --reuid=65534 --regid=65534 --clear-groups"
	chmod o+rx "$T"
	chmod o+r "$T/test-hash-iocs.txt"
fi
if [ "$(id -u)" -ne 0 ] || [ -n "$as" ]; then
	rc=0
	$as "$VIGIL" scan --no-store --no-builtin --iocs "$T/test-hash-iocs.txt" "$T/closed" "$T/closed.txt" \
		>"$T/out" 2>"$T/err" || rc=$?
	check "unreadable roots: exit 2" 2 "$rc"
	check "unreadable directory named" 1 \
		"$(grep -c "$T/closed: error: unable to sweep: Permission denied" "$T/err" || true)"
	check "unreadable file named" 1 \
		"$(grep -c "$T/closed.txt: error: unable to sweep: Permission denied" "$T/err" || true)"
else
	echo "skip: unreadable roots (running as root, which reads them, without setpriv)"
fi

# 4. all roots fine: exit as before
run_vigil scan --no-builtin --iocs "$T/test-hash-iocs.txt" "$D"
check "good root: exit 1 (the hit)" 1 "$rc"
check "good root: no error message" "" "$(cat "$T/err")"

# 5. no content at all
VIGIL_CONTENT_DIR=$T/no-content run_vigil scan "$D"
check "no content: exit 2" 2 "$rc"
check "no content: said so" 1 "$(grep -c '^vigil: no content loaded' "$T/err" || true)"
check "no content: nothing swept" "" "$(cat "$T/out")"
mkdir "$T/empty-content"
VIGIL_CONTENT_DIR=$T/empty-content run_vigil scan --no-checks "$D"
check "empty content directory: exit 2" 2 "$rc"
VIGIL_CONTENT_DIR=$T/no-content run_vigil scan --iocs "$T/test-hash-iocs.txt" "$D"
check "content missing, --iocs given: sweeps (exit 1, the hit)" 1 "$rc"
check "content missing, --iocs given: warned" 1 \
	"$(grep -c 'built-in content not loaded' "$T/err" || true)"
VIGIL_CONTENT_DIR=$T/no-content run_vigil scan --no-builtin "$D"
check "--no-builtin alone (checks and digests): exit 0" 0 "$rc"
VIGIL_CONTENT_DIR=$T/no-content run_vigil scan --no-builtin --no-checks --json "$D"
check "--no-builtin --no-checks (digests only): exit 0" 0 "$rc"
check "--no-builtin --no-checks: files read" 2 \
	"$(jq -r 'select(.type == "summary") | .files_scanned' "$T/out")"
finish
