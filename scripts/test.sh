#!/bin/sh
# Quick start, part 2, and CI: build and run every test: the unit,
# end-to-end and golden CLI tests in a release build with -Werror, again
# under AddressSanitizer + UndefinedBehaviorSanitizer and under
# ThreadSanitizer, the static checks (scripts/lint.sh), the line coverage
# of lib/ (at least COVERAGE_MIN %, default 85), then a short libFuzzer
# run of every harness (FUZZ_SECONDS each, default 30). Each step prints
# its time.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
t0=$(date +%s)
step() {
	now=$(date +%s)
	echo "== $1 ($((now - t0)) s since the start)"
}

step "build and test (release, -Werror)"
sh scripts/build.sh build -DVIGIL_WERROR=ON
(cd build && ctest --output-on-failure -j "$jobs")

step "build and test (ASan + UBSan)"
sh scripts/build.sh build-asan -DVIGIL_SANITIZE=ON -DVIGIL_WERROR=ON -DCMAKE_BUILD_TYPE=Debug
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ctest --output-on-failure -j "$jobs")

step "build and test (ThreadSanitizer)"
sh scripts/build.sh build-tsan -DVIGIL_TSAN=ON -DVIGIL_WERROR=ON -DCMAKE_BUILD_TYPE=Debug
(cd build-tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/../tests/tsan.supp" \
	ctest --output-on-failure -j "$jobs")

step "lint (cppcheck, shellcheck)"
sh scripts/lint.sh

step "coverage (lib/ at least ${COVERAGE_MIN:-85} % of lines)"
sh scripts/build.sh build-cov -DVIGIL_COVERAGE=ON -DCMAKE_BUILD_TYPE=Debug
find build-cov -name '*.gcda' -exec rm -f {} +
(cd build-cov && ctest --output-on-failure -j "$jobs")
sh scripts/coverage.sh build-cov "${COVERAGE_MIN:-85}"

step "fuzz smoke (${FUZZ_SECONDS:-30} s per harness)"
sh scripts/fuzz.sh "${FUZZ_SECONDS:-30}"
step "done"
