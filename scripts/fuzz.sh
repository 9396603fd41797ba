#!/bin/sh
# Build the libFuzzer harnesses (clang, ASan + UBSan) and run each for N
# seconds from its seed corpus, two at a time. Usage: scripts/fuzz.sh [N]
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
CC=clang sh scripts/build.sh build-fuzz -DVIGIL_FUZZ=ON -DVIGIL_SANITIZE=ON \
	-DVIGIL_TESTS=OFF -DCMAKE_BUILD_TYPE=Debug
fail=0
run_one() {
	name=$1
	area=${name#fuzz_}
	work=build-fuzz/corpus-$area
	mkdir -p "$work"
	log=build-fuzz/$name.log
	# fuzz/corpus/AREA.also names other areas whose seeds this harness reads too
	seeds="fuzz/corpus/$area"
	if [ -f "fuzz/corpus/$area.also" ]; then
		for a in $(cat "fuzz/corpus/$area.also"); do seeds="$seeds fuzz/corpus/$a"; done
	fi
	# shellcheck disable=SC2086 # $seeds is a list of plain directory names
	if ./build-fuzz/fuzz/"$name" -max_total_time="$secs" -max_len=65536 \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=build-fuzz/"$name"- \
		"$work" $seeds >"$log" 2>&1; then
		echo "fuzz: $name ok ($(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}') runs)"
	else
		echo "fuzz: $name FAILED, log follows"
		tail -40 "$log"
		return 1
	fi
}
# shellcheck disable=SC2010,SC2046 # harness names fuzz_<area>, no spaces
set -- $(cd fuzz && ls fuzz_*.c 2>/dev/null | sed 's/\.c$//')
while [ $# -gt 0 ]; do
	a=$1; shift
	if [ $# -gt 0 ]; then
		b=$1; shift
		run_one "$a" & pa=$!
		run_one "$b" || fail=1
		wait $pa || fail=1
	else
		run_one "$a" || fail=1
	fi
done
exit $fail
