#!/bin/sh
# Line coverage of a -DVIGIL_COVERAGE=ON build after its ctest run:
#
#   scripts/coverage.sh BUILD_DIR [MIN_PERCENT]
#
# prints gcovr's per-file table of lib/ and src/ (lines, branches left
# out), writes BUILD_DIR/coverage.txt (the same) and fails when lib/ as a
# whole covers fewer than MIN_PERCENT of its lines (default 85). The
# target 'coverage' of such a build runs it.
set -eu
cd "$(dirname "$0")/.."
b=${1:?usage: scripts/coverage.sh BUILD_DIR [MIN_PERCENT]}
min=${2:-85}
command -v gcovr >/dev/null 2>&1 || { echo "coverage: gcovr not installed (scripts/deps.sh)" >&2; exit 2; }
gcovr -r . --object-directory "$b" --filter 'lib/' --filter 'src/' \
	--txt "$b/coverage.txt" --print-summary >/dev/null
cat "$b/coverage.txt"
# lib/ alone, against the threshold
echo "lib/ alone (at least $min % of lines):"
gcovr -r . --object-directory "$b" --filter 'lib/' --print-summary \
	--fail-under-line "$min" -o /dev/null
