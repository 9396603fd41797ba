#!/bin/sh
# Quick start, part 1: install what is missing, build, and sweep this host's
# usual software locations with the built-in content. Each step prints one
# line; the tools' own output goes to a log file, named when a step fails.
set -eu
cd "$(dirname "$0")/.."
log=${VIGIL_QUICKSTART_LOG:-${TMPDIR:-/tmp}/vigil-quickstart.$$.log}
: >"$log"

# step MESSAGE COMMAND...: one line of progress, the output in the log
step() {
	msg=$1
	shift
	printf 'quickstart: %s... ' "$msg" >&2
	if "$@" >>"$log" 2>&1; then
		echo "done" >&2
	else
		echo "failed" >&2
		echo "quickstart: see $log (last lines below)" >&2
		tail -n 20 "$log" >&2
		exit 2
	fi
}

step "installing the packages vigil needs (scripts/deps.sh)" sh scripts/deps.sh
step "building (build/)" sh scripts/build.sh build
rm -f "$log"
echo "quickstart: sweeping the host's software locations (./build/vigil scan --nice)" >&2
rc=0
./build/vigil scan --nice "$@" || rc=$?
# 1 means findings were reported above; only 2 is a failure of the run.
[ "$rc" -le 1 ]
