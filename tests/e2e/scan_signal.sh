#!/bin/sh
# SIGINT and SIGTERM lose nothing: the sweep stops, what was found is
# written, the JSON Lines output ends with a whole summary record marked
# interrupted, --output FILE appears whole (written to FILE.tmp.XXXXXX,
# renamed) and the exit status is 130 / 143; text output to a redirected
# standard output keeps its alerts and says it was interrupted.
. "$(dirname "$0")/lib/common.sh"
need jq

# 400 files of 256 KiB, every one a file-name hit; one thread at 1 % of
# the machine's CPU makes the sweep last well over ten seconds
D=$T/tree
mkdir -p "$D"
n=400
i=1
while [ "$i" -le "$n" ]; do
	head -c 262144 /dev/urandom >"$D/sig_$i.bin"
	i=$((i + 1))
done
printf 'sig_[0-9]+\\.bin;90\n' >"$T/test-filename-iocs.txt"
SLOW="--no-builtin --no-store --threads 1 --cpu-limit 1 --iocs $T/test-filename-iocs.txt"

# wait_for CMD...: until CMD succeeds, at most 60 s
wait_for() {
	w=0
	while ! "$@" 2>/dev/null; do
		w=$((w + 1))
		[ "$w" -lt 600 ] || return 1
		sleep 0.1
	done
}
# a file record with a hit in the temporary output of $1
hit_in_tmp() {
	for f in "$1".tmp.*; do
		[ -f "$f" ] && grep -q '"type":"file"' "$f" && return 0
	done
	return 1
}

# json_run SIGNAL EXPECTED_RC
json_run() {
	F=$T/out.$1.json
	# shellcheck disable=SC2086
	"$VIGIL" scan $SLOW --json --output "$F" "$D" 2>"$T/err.$1" &
	pid=$!
	if wait_for hit_in_tmp "$F"; then ok "$1: a hit streamed to the temporary file"
	else not_ok "$1: a hit streamed to the temporary file"; fi
	check "$1: FILE itself not there during the run" no "$([ -e "$F" ] && echo yes || echo no)"
	before=$(cat "$F".tmp.* 2>/dev/null | grep -c '"type":"file"' || true)
	kill -"$1" "$pid" 2>/dev/null || true
	rc=0
	wait "$pid" || rc=$?
	check "$1: exit $2" "$2" "$rc"
	check "$1: FILE written" yes "$([ -f "$F" ] && echo yes || echo no)"
	check "$1: no temporary left" "" "$(ls "$F".tmp.* 2>/dev/null)"
	check "$1: every line valid JSON" "" \
		"$(while IFS= read -r l; do printf '%s\n' "$l" | jq -e . >/dev/null 2>&1 || echo "bad: $l"; done <"$F")"
	check "$1: last record a summary" summary "$(tail -n 1 "$F" | jq -r .type)"
	check "$1: summary interrupted" true "$(tail -n 1 "$F" | jq -r .interrupted)"
	check "$1: summary names the signal" "SIG$1" "$(tail -n 1 "$F" | jq -r .signal)"
	after=$(grep -c '"type":"file"' "$F" 2>/dev/null || true)
	check "$1: the hits found before are kept" yes "$([ "$after" -ge "$before" ] && echo yes || echo no)"
	check "$1: the sweep stopped early" yes "$([ "$after" -lt "$n" ] && echo yes || echo no)"
	check "$1: summary counts what was swept" "$after" "$(tail -n 1 "$F" | jq -r .files_seen)"
	check "$1: hits in the summary" "$after" "$(tail -n 1 "$F" | jq -r .hits)"
}
json_run INT 130
json_run TERM 143

# an uninterrupted run: interrupted false, exit 1 (hits)
run_vigil scan --no-builtin --no-store --json --iocs "$T/test-filename-iocs.txt" \
	--output "$T/full.json" "$D/sig_1.bin"
check "complete run: exit 1" 1 "$rc"
check "complete run: not interrupted" false "$(tail -n 1 "$T/full.json" | jq -r .interrupted)"
check "complete run: nothing on stdout" "" "$(cat "$T/out")"
check "complete run: mode 0666 less the umask" \
	"$(printf '%o' $((0666 & ~$(umask))))" "$(stat -c %a "$T/full.json")"

# --output in a directory that does not exist: exit 2, nothing written
run_vigil scan --no-builtin --no-store --json --iocs "$T/test-filename-iocs.txt" \
	--output "$T/nodir/x.json" "$D/sig_1.bin"
check "output dir missing: exit 2" 2 "$rc"
check "output dir missing: said" 1 "$(grep -c 'unable to open' "$T/err")"

# --output naming a symbolic link or a device: written through, not replaced
: >"$T/target.json"
ln -s target.json "$T/link.json"
run_vigil scan --no-builtin --no-store --json --iocs "$T/test-filename-iocs.txt" \
	--output "$T/link.json" "$D/sig_1.bin"
check "output symlink: still a link" yes "$([ -L "$T/link.json" ] && echo yes || echo no)"
check "output symlink: target written" summary "$(tail -n 1 "$T/target.json" | jq -r .type)"
run_vigil scan --no-builtin --no-store --json --iocs "$T/test-filename-iocs.txt" \
	--output /dev/stdout "$D/sig_1.bin"
check "output /dev/stdout: records on stdout" summary "$(tail -n 1 "$T/out" | jq -r .type)"
check "output /dev/stdout: no temporary in /dev" "" "$(ls /dev/stdout.tmp.* 2>/dev/null)"

# a write error (a full device): exit 2, said
if [ -w /dev/full ]; then
	run_vigil scan --no-builtin --no-store --json --iocs "$T/test-filename-iocs.txt" \
		--output /dev/full "$D/sig_1.bin"
	check "write error: exit 2" 2 "$rc"
	check "write error: said" 1 "$(grep -c 'unable to write' "$T/err")"
fi

# text to a redirected standard output: the alerts found are written
# shellcheck disable=SC2086
"$VIGIL" scan $SLOW "$D" >"$T/text.out" 2>"$T/text.err" &
pid=$!
sleep 3
kill -INT "$pid" 2>/dev/null || true
rc=0
wait "$pid" || rc=$?
check "text: exit 130" 130 "$rc"
alerts=$(grep -c '^alert ' "$T/text.out" || true)
check "text: alerts kept" yes "$([ "$alerts" -ge 1 ] && [ "$alerts" -lt "$n" ] && echo yes || echo no)"
check "text: interrupted line" 1 "$(grep -c '^interrupted by SIGINT' "$T/text.out")"
check "text: summary present" 1 "$(grep -c -- '--- summary ---' "$T/text.out")"

finish
