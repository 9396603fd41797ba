# Shared by the benchmarks (sourced, not run). $W must name a scratch
# directory.

# Set bench_cpu to the CPU seconds (user + system) used so far by
# waited-for children. `times` must run in this shell: in a pipe or a
# command substitution it would report a subshell's children.
bench_child_cpu() {
	times >"$W/.times"
	bench_cpu=$(awk 'NR == 2 {
		split($0, f, /[ms ]+/)
		print f[1] * 60 + f[2] + f[3] * 60 + f[4]
	}' "$W/.times")
}

# bench_time NAME COMMAND...: run COMMAND (output discarded, failure
# ignored); append its wall seconds to $W/NAME.times and its CPU seconds
# (user + system, all threads) to $W/NAME.cpu.times.
bench_time() {
	name=$1
	shift
	bench_child_cpu
	c=$bench_cpu
	s=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || true
	e=$(date +%s.%N)
	bench_child_cpu
	awk -v s="$s" -v e="$e" 'BEGIN { print e - s }' >>"$W/$name.times"
	awk -v a="$c" -v b="$bench_cpu" 'BEGIN { print b - a }' >>"$W/$name.cpu.times"
}

# bench_median NAME: the median of the times recorded for NAME.
bench_median() {
	sort -n "$W/$1.times" |
		awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_rounds N FUNCTION...: N rounds of the functions, each round
# starting one function later, so that no function always runs first or
# last in a round; the cyclic order stays (each keeps the same neighbours).
# Function names hold no blanks, so the list is kept as one word list.
bench_rounds() {
	rounds=$1
	shift
	all=$*
	round=0
	while [ "$round" -lt "$rounds" ]; do
		# shellcheck disable=SC2086 # $all is a list of function names
		set -- $all
		k=0
		while [ "$k" -lt $((round % $#)) ]; do
			first=$1
			shift
			set -- "$@" "$first"
			k=$((k + 1))
		done
		for run in "$@"; do $run; done
		round=$((round + 1))
	done
}
