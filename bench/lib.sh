# Shared by the benchmarks (sourced, not run). $W must name a scratch
# directory.

# bench_time NAME COMMAND...: run COMMAND (output discarded, failure
# ignored) and append its wall seconds to $W/NAME.times.
bench_time() {
	name=$1
	shift
	s=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || true
	e=$(date +%s.%N)
	awk -v s="$s" -v e="$e" 'BEGIN { print e - s }' >>"$W/$name.times"
}

# bench_median NAME: the median of the times recorded for NAME.
bench_median() {
	sort -n "$W/$1.times" |
		awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
