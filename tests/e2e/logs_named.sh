#!/bin/sh
# vigil logs opens a FILE named on the command line as it opens the files a
# directory walk finds: only a regular file is opened for reading (a FIFO
# named never blocks the run: no writer would ever come), a symbolic link is
# not followed unless --follow-symlinks; each refusal names the file, the
# other files are read, and with no hit the run exits 2 (nothing was
# searched in it). A log swapped for a FIFO or a device after the walk
# listed it is never opened (tests/preload/swap_file.c).
. "$(dirname "$0")/lib/common.sh"
need jq

R=$(cd "$T" && pwd -P)
printf 'akamaicontainer.com\n' >"$R/test-c2-iocs.txt"
{
	printf '#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\n'
	printf '1680093297.0\tC2\t10.0.0.6\t5353\t10.0.0.1\t53\tudp\tsub.akamaicontainer.com\n'
} >"$R/dns.log"
printf 'nothing to see\n' >"$R/clean.log"
mkfifo "$R/fifo.log"
ln -s "$R/dns.log" "$R/link.log"
mkdir "$R/dir"
ln -s "$R/dir" "$R/dirlink"
cp "$R/dns.log" "$R/dir/in-dir.log"

# logs RUNS...: timeout guards against the FIFO blocking (the bug)
logs() {
	rc=0
	timeout 30 "$VIGIL" logs --no-builtin --json --iocs "$R/test-c2-iocs.txt" "$@" \
		>"$T/out" 2>"$T/err" || rc=$?
}

# 1. a FIFO named, with a log after it
logs "$R/fifo.log" "$R/dns.log"
check "FIFO named: not blocked, the hit after it (exit 1)" 1 "$rc"
check "FIFO named: refused, named" 1 \
	"$(grep -c "^vigil: $R/fifo.log: error: unable to open: not a regular file" "$T/err" || true)"
check "FIFO named: counted as failed" 1 "$(tail -n 1 "$T/out" | jq .files_failed)"
logs "$R/fifo.log" "$R/clean.log"
check "FIFO named, no hit: exit 2" 2 "$rc"

# 2. a symlink named: not followed, unless asked
logs "$R/link.log"
check "symlink named: exit 2 (nothing searched)" 2 "$rc"
check "symlink named: refused, named" 1 \
	"$(grep -c "^vigil: $R/link.log: error: unable to open: a symbolic link, not followed (--follow-symlinks reads it)\$" "$T/err" || true)"
check "symlink named: no hit" 0 "$(tail -n 1 "$T/out" | jq .hits)"
logs --follow-symlinks "$R/link.log"
check "--follow-symlinks: the link read (exit 1)" 1 "$rc"
check "--follow-symlinks: the hit" "3|sub.akamaicontainer.com" \
	"$(jq -r 'select(.type=="hit") | "\(.line)|\(.value)"' "$T/out")"
logs "$R/dirlink"
check "symlink to a directory named: refused (exit 2)" 2 "$rc"
logs --follow-symlinks "$R/dirlink"
check "symlink to a directory, --follow-symlinks: walked (exit 1)" 1 "$rc"

# 3. a FIFO and a symlink inside a walked directory: skipped, not errors
mkfifo "$R/dir/fifo.log"
ln -s "$R/dns.log" "$R/dir/link.log"
logs "$R/dir"
check "walk: exit 1 (the regular log's hit)" 1 "$rc"
check "walk: one file read" 1 "$(tail -n 1 "$T/out" | jq .files)"
check "walk: nothing failed" 0 "$(tail -n 1 "$T/out" | jq .files_failed)"
rm -f "$R/dir/fifo.log" "$R/dir/link.log"

# 4. a walked log swapped after listing: never opened for I/O
SHIM="$VIGIL_TEST_BIN/swap_file.so"
if [ -f "$SHIM" ]; then
	for kind in fifo device; do
		if [ $kind = device ] && ! { mknod "$R/probe" c 1 3 2>/dev/null && (: <"$R/probe") 2>/dev/null; }; then
			rm -f "$R/probe"
			echo "skip: cannot make a usable device node here"
			continue
		fi
		rm -f "$R/probe" "$R/away" "$R/swap.log"
		cp "$R/dns.log" "$R/dir/in-dir.log"
		rc=0
		LD_PRELOAD="$SHIM" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
			VIGIL_SWAP_FILE="$R/dir/in-dir.log" VIGIL_SWAP_AWAY="$R/away" VIGIL_SWAP_KIND=$kind \
			VIGIL_SWAP_LOG="$R/swap.log" timeout 30 "$VIGIL" logs --no-builtin --json \
			--iocs "$R/test-c2-iocs.txt" "$R/dir" >"$T/out" 2>"$T/err" || rc=$?
		[ -e "$R/away" ] && ok "swap $kind: the shim swapped the log" ||
			not_ok "swap $kind: the shim did not swap: the test proves nothing"
		check "swap $kind: never opened for I/O" "" "$(cat "$R/swap.log" 2>/dev/null)"
		check "swap $kind: reported" 1 \
			"$(grep -c "in-dir.log: error: unable to open: no longer a regular file since it was listed" "$T/err" || true)"
		rm -f "$R/dir/in-dir.log"
	done
else
	echo "skip: $SHIM not built (Linux only)"
fi
finish
