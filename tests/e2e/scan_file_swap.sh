#!/bin/sh
# A file swapped between the walk listing it (a regular file, or with
# --follow-symlinks a symlink to one) and the reader opening it: for a
# FIFO, a character device, and a symlink retargeted to a device
# (/dev/null, or another where a sandbox made /dev/null a regular file). A
# preloaded shim (tests/preload/swap_file.c) makes the swap at the moment
# vigil opens the name and logs every open for I/O that reaches the
# swapped-in node. Asserts: no such open ran (a device's open, a watchdog's,
# would have side effects), the file is reported as a special file and
# counted, the rest is scanned; the same where /proc/self/fd cannot be used
# (the fallback); a root given as a symlink to a file is followed.
set -u
. "$VIGIL_TEST_SRC/tests/e2e/lib/common.sh"
SHIM="$VIGIL_TEST_BIN/swap_file.so"
[ -f "$SHIM" ] || { echo "skip: $SHIM not built (Linux only)"; exit 77; }
need jq

R=$(cd "$T" && pwd -P)
DEV=$(char_device)

# swap KIND [extra vigil options...]: a fresh tree, one swap, one scan
swap() {
	kind=$1
	shift
	rm -rf "$R/tree" "$R/away" "$R/log"
	mkdir -p "$R/tree"
	printf 'plain file\n' >"$R/tree/other.txt"
	printf 'the victim\n' >"$R/real.txt"
	if [ "$kind" = link ]; then
		ln -s "$R/real.txt" "$R/tree/victim"
	else
		cp "$R/real.txt" "$R/tree/victim"
	fi
	rc=0
	LD_PRELOAD="$SHIM" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		VIGIL_SWAP_FILE="$R/tree/victim" VIGIL_SWAP_AWAY="$R/away" VIGIL_SWAP_KIND="$kind" \
		VIGIL_SWAP_TO="$DEV" VIGIL_SWAP_LOG="$R/log" \
		timeout 60 "$VIGIL" scan --no-builtin --no-checks --json --threads 1 "$@" "$R/tree" \
		>"$T/out" 2>"$T/err" || rc=$?
}

# assert NAME: the checks after one swap
assert() {
	if [ -e "$R/away" ]; then ok "$1: the shim swapped the file"; else
		not_ok "$1: the shim did not swap the file: the test proves nothing"
		cat "$T/err"
	fi
	check "$1: exit 0" 0 "$rc"
	check "$1: never opened for I/O" "" "$(cat "$R/log" 2>/dev/null)"
	check "$1: reported as special-file" special-file \
		"$(jq -r --arg p "$R/tree/victim" 'select(.type == "file" and .path == $p) | .skip' "$T/out")"
	check "$1: counted" 1 "$(jq -r 'select(.type == "summary") | .skipped."special-file"' "$T/out")"
	check "$1: the other file scanned" 1 "$(jq -r 'select(.type == "summary") | .files_scanned' "$T/out")"
}

swap fifo
assert "FIFO"
swap fifo --follow-symlinks
assert "FIFO, --follow-symlinks"
if [ -n "$DEV" ]; then
	swap link --follow-symlinks
	assert "symlink retargeted to $DEV"
else
	echo "skip: no character device here to retarget a symlink to"
fi

# a device node of our own; needs CAP_MKNOD and a file system without nodev
if mknod "$R/probe" c 1 3 2>/dev/null && (: <"$R/probe") 2>/dev/null; then
	rm -f "$R/probe"
	swap device
	assert "character device"
	swap device --follow-symlinks
	assert "character device, --follow-symlinks"
else
	rm -f "$R/probe"
	echo "skip: cannot make a usable device node here (no CAP_MKNOD, or nodev)"
fi

# without a usable /proc/self/fd: the name is opened again, checked on the
# descriptor; the swap at the first open is still caught before any I/O
VIGIL_SWAP_NOPROC=1
export VIGIL_SWAP_NOPROC
swap fifo
assert "no /proc: FIFO"
if [ -n "$DEV" ]; then
	swap link --follow-symlinks
	assert "no /proc: symlink retargeted to $DEV"
fi
unset VIGIL_SWAP_NOPROC

# and, without a swap, files are still read (with and without /proc)
printf 'known bad (test)\n' >"$R/hit.bin"
printf '%s;test hash\n' "$(sha256sum <"$R/hit.bin" | cut -d' ' -f1)" >"$R/test-hash-iocs.txt"
ln -s "$R/hit.bin" "$R/hit.link"
for np in 0 1; do
	rc=0
	LD_PRELOAD="$SHIM" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		VIGIL_SWAP_NOPROC=$np "$VIGIL" scan --no-builtin --json --iocs "$R/test-hash-iocs.txt" \
		"$R/hit.bin" "$R/hit.link" >"$T/out" 2>"$T/err" || rc=$?
	check "no swap (noproc=$np): exit 1" 1 "$rc"
	check "no swap (noproc=$np): the file and the root symlink to it both read and hit" 2 \
		"$(jq -r 'select(.type == "file" and (.findings | length) == 1) | .path' "$T/out" | wc -l | tr -d ' ')"
done
finish
