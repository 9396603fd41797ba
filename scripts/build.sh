#!/bin/sh
# Configure and build vigil into build/ (release) or the directory given.
set -eu
cd "$(dirname "$0")/.."
dir=${1:-build}
shift 2>/dev/null || true
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$dir" -j "$jobs"
