#!/bin/sh
# vigil logs on SIGINT / SIGTERM: the run stops, every hit already found
# is in the output (JSON Lines flushed per record), the output ends with
# a whole summary record marked interrupted, --output FILE appears whole
# (written to FILE.tmp.XXXXXX, renamed) and the exit status is 130 / 143.
. "$(dirname "$0")/lib/common.sh"
need jq
need awk
# two logs of 1,000,000 lines, a hit on every line: writing 2,000,000
# flushed records lasts far longer than the test waits
mkdir -p "$T/logs"
for f in a b; do
	awk 'BEGIN { for (i = 0; i < 1000000; i++) print "10.0.0." i % 250 " GET http://c2-signal-test.example/x" i }' \
		>"$T/logs/$f.log"
done
printf 'c2-signal-test.example\n' >"$T/c2.txt"
total=2000000

wait_for() {
	w=0
	while ! "$@" 2>/dev/null; do
		w=$((w + 1))
		[ "$w" -lt 600 ] || return 1
		sleep 0.1
	done
}
has_hit() { grep -q '"type":"hit"' "$1"; }
tmp_has_hit() {
	for f in "$1".tmp.*; do
		[ -f "$f" ] && grep -q '"type":"hit"' "$f" && return 0
	done
	return 1
}

for sig in INT TERM; do
	want=130
	[ "$sig" = TERM ] && want=143
	# to standard output (the file removed first: the background job's
	# redirection truncates it only once the job runs)
	rm -f "$T/out"
	"$VIGIL" logs --no-builtin --iocs "$T/c2.txt" --format generic --json "$T/logs" \
		>"$T/out" 2>"$T/err" &
	pid=$!
	wait_for has_hit "$T/out" || not_ok "SIG$sig: a hit before the signal"
	kill -"$sig" "$pid"
	rc=0
	wait "$pid" || rc=$?
	check "SIG$sig: exit $want" "$want" "$rc"
	last=$(tail -n 1 "$T/out")
	check "SIG$sig: ends with a whole summary" summary "$(printf '%s' "$last" | jq -r .type)"
	check "SIG$sig: marked interrupted" "true SIG$sig" \
		"$(printf '%s' "$last" | jq -r '"\(.interrupted) \(.signal)"')"
	hits=$(grep -c '"type":"hit"' "$T/out")
	if [ "$hits" -gt 0 ] && [ "$hits" -lt "$total" ]; then
		ok "SIG$sig: stopped early with its hits ($hits)"
	else
		not_ok "SIG$sig: $hits hits of $total"
	fi
	check "SIG$sig: every record whole" 0 "$(jq -c . "$T/out" >/dev/null 2>&1; echo $?)"
	check "SIG$sig: the summary counts the hits written" "$hits" \
		"$(printf '%s' "$last" | jq -r .hits)"
done

# --output FILE: nothing at FILE until renamed whole
"$VIGIL" logs --no-builtin --iocs "$T/c2.txt" --format generic --json \
	--output "$T/report.json" "$T/logs" 2>"$T/err" &
pid=$!
wait_for tmp_has_hit "$T/report.json" || not_ok "--output: a hit in the temporary file"
check "--output: FILE absent while running" no "$([ -e "$T/report.json" ] && echo yes || echo no)"
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
check "--output: exit 130" 130 "$rc"
check "--output: whole, ends with the summary" "summary true" \
	"$(tail -n 1 "$T/report.json" | jq -r '"\(.type) \(.interrupted)"')"
check "--output: no temporary left" 0 "$(ls "$T"/report.json.tmp.* 2>/dev/null | wc -l)"

# not interrupted: no interrupted mark, exit 1
printf '10.0.0.1 GET http://c2-signal-test.example/one\n' >"$T/small.log"
run_vigil logs --no-builtin --iocs "$T/c2.txt" --format generic --json "$T/small.log"
check "whole run: exit 1" 1 "$rc"
check "whole run: not interrupted" false "$(tail -n 1 "$T/out" | jq -r .interrupted)"
finish
