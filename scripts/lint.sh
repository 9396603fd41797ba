#!/bin/sh
# Static checks, run in CI (scripts/test.sh): cppcheck over lib/ and src/,
# then shellcheck over every shell script, bash -n and zsh -n over the
# completions. Exit 1 on any finding. A finding that is not a defect is
# suppressed where it is, with the reason beside it
# ("// cppcheck-suppress ID" or "# shellcheck disable=SCnnnn # why").
#
# cppcheck: --enable=warning,portability (the "style" class is opinion
# here, not defects), the dependencies' iteration macros from
# scripts/cppcheck.cfg instead of their headers, the whole program for
# its cross-file checks. shellcheck: POSIX sh (every script is run by sh),
# severity warning and up, sourced files followed (.shellcheckrc).
set -eu
cd "$(dirname "$0")/.."
fails=0

if command -v cppcheck >/dev/null 2>&1; then
	echo "== cppcheck"
	if ! cppcheck -q --std=c11 --enable=warning,portability --inline-suppr \
		--library=scripts/cppcheck.cfg -I include -I lib -I src \
		-D__linux__ -D__GNUC__ --error-exitcode=1 \
		--suppress=missingIncludeSystem lib src; then
		fails=$((fails + 1))
	fi
else
	echo "lint: cppcheck not installed (scripts/deps.sh)" >&2
	fails=$((fails + 1))
fi

if command -v shellcheck >/dev/null 2>&1; then
	echo "== shellcheck"
	# shellcheck disable=SC2046 # one argument per script: names of this tree, no spaces
	if ! shellcheck -x -s sh -S warning $(find scripts tests bench .ci -name '*.sh' | sort) .ci/run; then
		fails=$((fails + 1))
	fi
	if ! shellcheck -s bash -S warning completion/vigil.bash; then
		fails=$((fails + 1))
	fi
else
	echo "lint: shellcheck not installed (scripts/deps.sh)" >&2
	fails=$((fails + 1))
fi

echo "== completions parse"
bash -n completion/vigil.bash || fails=$((fails + 1))
if command -v zsh >/dev/null 2>&1; then
	zsh -n completion/_vigil || fails=$((fails + 1))
else
	echo "lint: zsh not installed: completion/_vigil not parsed"
fi

if [ "$fails" -ne 0 ]; then
	echo "lint: $fails check(s) failed" >&2
	exit 1
fi
echo "lint: clean"
