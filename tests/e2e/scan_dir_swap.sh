#!/bin/sh
# A directory swapped for a symlink while vigil walks (the race a walk by
# path strings loses: O_NOFOLLOW guards only the last name). A preloaded
# shim (tests/preload/swap_dir.c) renames tree/a/sub away and puts a
# symlink to outside/ in its place at the moment vigil opens it, after it
# was listed as a directory. outside/ holds a canary whose SHA-256 is a
# hash IOC. Asserts: the canary is not reported, nor anything under
# tree/a/sub; tree/a/sub is reported as changed and counted in the summary
# errors (the run does not pass silently over what it could not look at);
# the rest of the tree is still scanned (a hash IOC inside it fires, exit 1).
set -u
. "$VIGIL_TEST_SRC/tests/e2e/lib/common.sh"
SHIM="$VIGIL_TEST_BIN/swap_dir.so"
[ -f "$SHIM" ] || { echo "skip: $SHIM not built (Linux only)"; exit 77; }
need jq

# the shim matches the directory by the path the kernel gives back
R=$(cd "$T" && pwd -P)
mkdir -p "$R/tree/a/sub" "$R/outside"
printf 'inside the root, known bad (test)\n' >"$R/tree/hit.bin"
printf 'plain file\n' >"$R/tree/a/plain.txt"
printf 'inside sub\n' >"$R/tree/a/sub/file.txt"
printf 'canary outside the root (test)\n' >"$R/outside/canary.bin"
hit=$(sha256sum "$R/tree/hit.bin" | cut -d' ' -f1)
canary=$(sha256sum "$R/outside/canary.bin" | cut -d' ' -f1)
printf '%s;inside hit (test)\n%s;canary outside the root (test)\n' "$hit" "$canary" \
	>"$R/hash-iocs.txt"

# An ASan build checks that its runtime comes first; the shim is harmless.
rc=0
LD_PRELOAD="$SHIM" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	VIGIL_SWAP_DIR="$R/tree/a/sub" VIGIL_SWAP_TO="$R/outside" VIGIL_SWAP_AWAY="$R/sub.moved" \
	"$VIGIL" scan --no-builtin --json --threads 1 --iocs "$R/hash-iocs.txt" "$R/tree" \
	>"$T/out" 2>"$T/err" || rc=$?
[ -L "$R/tree/a/sub" ] && ok "the shim swapped tree/a/sub" ||
	not_ok "the shim did not swap tree/a/sub: the test proves nothing"
check "exit status (the hit inside the root)" 1 "$rc"
check "canary not reported" "" \
	"$(jq -r --arg h "$canary" 'select(.type == "file") | select(any(.findings[]?; .id == $h)) | .path' "$T/out")"
check "nothing reported under tree/a/sub/" "" \
	"$(jq -r --arg p "$R/tree/a/sub/" 'select(.type == "file" and (.path | startswith($p))) | .path' "$T/out")"
check "hit inside the root reported" "$hit" \
	"$(jq -r --arg p "$R/tree/hit.bin" 'select(.type == "file" and .path == $p) | .findings[].id' "$T/out")"
check "tree/a/sub reported as changed" changed \
	"$(jq -r --arg p "$R/tree/a/sub" 'select(.type == "file" and .path == $p) | .error' "$T/out")"
check "summary counts it" 1 "$(jq -r 'select(.type == "summary") | .errors.changed' "$T/out")"
check "the rest of the tree scanned" 2 "$(jq -r 'select(.type == "summary") | .files_scanned' "$T/out")"
finish
