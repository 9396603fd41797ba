# Shared helpers for the end-to-end tests (sourced, not a test itself).
set -eu
: "${VIGIL:?VIGIL must name the vigil binary}"
T=$(mktemp -d "${VIGIL_TEST_TMP:-/tmp}/e2e.XXXXXX" 2>/dev/null || {
	mkdir -p "${VIGIL_TEST_TMP:-/tmp}"
	mktemp -d "${VIGIL_TEST_TMP:-/tmp}/e2e.XXXXXX"
})
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
# the suite runs as root here: never the host's store, one per test
VIGIL_STORE=$T/store.db VIGIL_NO_SYSTEM_CONFIG=1
export VIGIL_STORE VIGIL_NO_SYSTEM_CONFIG
fails=0
pass=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fails=$((fails + 1)); echo "not ok - $1"; }

# check NAME EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1"
		echo "  expected: $(printf '%s' "$2" | head -c 2000)"
		echo "  actual:   $(printf '%s' "$3" | head -c 2000)"
	fi
}

# run_vigil: runs vigil, sets $rc, keeps stdout in $T/out and stderr in $T/err
run_vigil() {
	rc=0
	# shellcheck disable=SC2034 # rc is read by the tests that source this
	"$VIGIL" "$@" >"$T/out" 2>"$T/err" || rc=$?
}

finish() {
	echo "$pass passed, $fails failed"
	[ "$fails" -eq 0 ]
}

need() {
	command -v "$1" >/dev/null 2>&1 || { echo "skip: '$1' not installed"; exit 77; }
}

# char_device: prints the first character device of the usual ones, or
# nothing. /dev/null is not one in every sandbox (some make it a regular
# file), so a test wanting a device asks for one rather than assuming it.
char_device() {
	for d in /dev/null /dev/zero /dev/full /dev/urandom /dev/random; do
		if [ -c "$d" ]; then
			echo "$d"
			return 0
		fi
	done
}
