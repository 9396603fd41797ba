#!/bin/sh
# `vigil --version` and `-V`: vigil's version, the libraries' versions
# (libyara, OpenSSL, libarchive, SQLite, jansson, PCRE2) and the built-in
# content's identity, the same digests a sweep's records carry.
. "$(dirname "$0")/lib/common.sh"
need jq

run_vigil --version
check "--version: exit 0" 0 "$rc"
check "--version: first line" 1 "$(head -n 1 "$T/out" | grep -c '^vigil [0-9][0-9.]* (JSON schema [0-9]*)$')"
for lib in libyara OpenSSL libarchive SQLite jansson PCRE2; do
	check "--version names $lib" 1 "$(grep -c "^  $lib  *[0-9]" "$T/out")"
done
check "--version: content digests" 2 "$(grep -c 'sha256 [0-9a-f]\{64\}$' "$T/out")"
cp "$T/out" "$T/long"
run_vigil -V
check "-V is --version" "$(cat "$T/long")" "$(cat "$T/out")"

run_vigil --version --json
check "--version --json: exit 0" 0 "$rc"
check "--version --json: six libraries" 6 "$(jq '.libraries | length' "$T/out")"
check "--version --json: libyara as built" 1 \
	"$(jq -r .libraries.libyara "$T/out" | grep -c '^[0-9]*\.[0-9]*\.[0-9]*$')"
# the identity of the built-in content is the one a sweep with it records
printf 'plain\n' >"$T/f.txt"
"$VIGIL" scan --json --no-store "$T/f.txt" >"$T/scan" 2>/dev/null || true
check "--version: the sweep's content identity" "$(jq -c 'select(.type=="summary") | .content' "$T/scan")" \
	"$(jq -c .content "$T/out")"
run_vigil --version --bogus
check "--version with a bad argument: exit 2" 2 "$rc"
finish
