#!/bin/sh
# Quick start, part 2: build and run every test: the unit and end-to-end
# tests, again under AddressSanitizer + UndefinedBehaviorSanitizer, then a
# short libFuzzer run of every harness (FUZZ_SECONDS each, default 60).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)

echo "== build and test (release)"
sh scripts/build.sh build
(cd build && ctest --output-on-failure -j "$jobs")

echo "== build and test (ASan + UBSan)"
sh scripts/build.sh build-asan -DVIGIL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ctest --output-on-failure -j "$jobs")

echo "== fuzz smoke (${FUZZ_SECONDS:-60} s per harness)"
sh scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
