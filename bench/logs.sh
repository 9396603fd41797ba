#!/bin/sh
# Benchmark: vigil logs vs grep -F -f over the same Zeek dns.log and the
# same list of domain IOCs. grep only finds the strings anywhere in a line
# (no label boundaries, no parsing); it is the floor people use today.
# Usage: bench/logs.sh [SIZE_BYTES] [N_IOCS]   (default 1 GiB, 10000)
# The log is generated once into $BENCH_DIR (default build/bench-logs).
# FORMAT=json runs both tools on the same log as Zeek JSON lines instead
# (converted once with awk), the path of the JSON prefilter.
set -eu
cd "$(dirname "$0")/.."
SIZE=${1:-1073741824}
N=${2:-10000}
DIR=${BENCH_DIR:-build/bench-logs}
VIGIL=${VIGIL:-./build/vigil}
GEN=${GEN:-./build/tests/gen_zeek_dns}
[ -x "$VIGIL" ] && [ -x "$GEN" ] || sh scripts/build.sh build >/dev/null
mkdir -p "$DIR"
LOG=$DIR/dns-$SIZE.log
IOCS=$DIR/bench-$N-c2-iocs.txt
if [ ! -s "$LOG" ] || [ ! -s "$IOCS" ]; then
	"$GEN" "$LOG" "$SIZE" "$IOCS" "$N" 100
fi
if [ "${FORMAT:-tsv}" = json ]; then
	JLOG=$DIR/dns-$SIZE.json
	if [ ! -s "$JLOG" ]; then
		awk -F '\t' '/^#/ { next } {
			n = split($22, a, ","); ans = ""
			for (i = 1; i <= n; i++)
				if (a[i] != "-") ans = ans (ans == "" ? "" : ",") "\"" a[i] "\""
			printf "{\"ts\":%s,\"uid\":\"%s\",\"id.orig_h\":\"%s\",\"id.orig_p\":%s,", $1, $2, $3, $4
			printf "\"id.resp_h\":\"%s\",\"id.resp_p\":%s,\"proto\":\"%s\",\"query\":\"%s\",", $5, $6, $7, $10
			printf "\"qtype_name\":\"%s\",\"rcode_name\":\"%s\",\"answers\":[%s],\"rejected\":false}\n", $14, $16, ans
		}' "$LOG" >"$JLOG"
	fi
	LOG=$JLOG
fi
grep -v '^#' "$IOCS" >"$DIR/patterns-$N.txt"
bytes=$(wc -c <"$LOG")
cat "$LOG" >/dev/null # warm the page cache: both tools read from memory

now() { date +%s.%N; }
t0=$(now)
"$VIGIL" logs --no-builtin --json --summary --iocs "$IOCS" "$LOG" >"$DIR/vigil.out" || [ $? -eq 1 ]
t1=$(now)
LC_ALL=C grep -F -f "$DIR/patterns-$N.txt" "$LOG" >"$DIR/grep-c.out" || true
t2=$(now)
grep -F -f "$DIR/patterns-$N.txt" "$LOG" >"$DIR/grep.out" || true
t3=$(now)
vhits=$(tail -n 1 "$DIR/vigil.out" | sed 's/.*"hits":\([0-9]*\).*/\1/')
ghits=$(wc -l <"$DIR/grep-c.out")
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v bytes="$bytes" -v n="$N" \
    -v vh="$vhits" -v gh="$ghits" -v fmt="${FORMAT:-tsv}" 'BEGIN {
	vt = b - a; gt = c - b; gu = d - c; mb = bytes / 1e6
	printf "Zeek dns.log (%s) %.0f MB, %d domain IOCs\n", fmt, mb, n
	printf "vigil logs (1 thread)      %7.2f s  %7.0f MB/s  %d hits\n", vt, mb / vt, vh
	printf "LC_ALL=C grep -F -f        %7.2f s  %7.0f MB/s  %d lines  (vigil %.1fx faster)\n", gt, mb / gt, gh, gt / vt
	printf "grep -F -f (UTF-8 locale)  %7.2f s  %7.0f MB/s  (vigil %.1fx faster)\n", gu, mb / gu, gu / vt
}'
