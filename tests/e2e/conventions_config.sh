#!/bin/sh
# The configuration file: `key = value` lines, `#` comments, [scan] and
# [logs] sections; $XDG_CONFIG_HOME/vigil/vigil.conf, then --config FILE
# (which must exist); the command line wins over both; an unknown key, a
# key of another command in its section, or a key this build has no
# option for stops the run with exit 2 naming file:line. The suite sets
# VIGIL_NO_SYSTEM_CONFIG=1 (tests/e2e/lib/common.sh), so no host file is
# read; this test unsets it for the user file only.
. "$(dirname "$0")/lib/common.sh"
need jq

D=$T/tree
mkdir -p "$D/keep" "$D/skip"
printf 'config fixture marker\n' >"$D/keep/a.bin"
cp "$D/keep/a.bin" "$D/skip/b.bin"
printf 'rule config_marker { meta: score = 50 strings: $a = "config fixture marker" condition: $a }\n' >"$T/r.yar"

cat >"$T/site.conf" <<EOT
# site settings
no-builtin = yes
rules = $T/r.yar

[scan]
exclude = $D/skip
min-score = 90
[logs]
max-line = 4096
EOT
run_vigil scan --json --no-store --config "$T/site.conf" "$D"
check "--config: rules from the file, exit 0 below its min-score" 0 "$rc"
check "--config: exclude from [scan]" "$D/keep/a.bin" \
	"$(jq -r 'select(.type=="file") | .path' "$T/out")"
run_vigil scan --json --no-store --config "$T/site.conf" --min-score 40 "$D"
check "the command line wins: --min-score 40, exit 1" 1 "$rc"
run_vigil scan --json --no-store --config="$T/site.conf" --exclude "$D/keep" "$D"
check "repeatable options add up (both excludes)" 2 \
	"$(jq -r 'select(.type=="summary") | .excluded' "$T/out")"

# the user's file, found through XDG_CONFIG_HOME
mkdir -p "$T/xdg/vigil"
cp "$T/site.conf" "$T/xdg/vigil/vigil.conf"
if [ -e /etc/vigil/vigil.conf ]; then
	echo "skip: the host has /etc/vigil/vigil.conf"
else
	rc=0
	env -u VIGIL_NO_SYSTEM_CONFIG XDG_CONFIG_HOME="$T/xdg" "$VIGIL" scan --json --no-store "$D" \
		>"$T/out" 2>"$T/err" || rc=$?
	check "user file: read" "$D/keep/a.bin" "$(jq -r 'select(.type=="file") | .path' "$T/out")"
	rc=0
	env -u VIGIL_NO_SYSTEM_CONFIG XDG_CONFIG_HOME="$T/xdg" "$VIGIL" scan --no-config --no-builtin \
		--json --no-store "$D" >"$T/out" 2>"$T/err" || rc=$?
	check "--no-config: the user file not read (no rules, no finding)" 0 "$rc"
fi
XDG_CONFIG_HOME="$T/xdg" run_vigil scan --json --no-store --no-builtin "$D"
check "VIGIL_NO_SYSTEM_CONFIG: the user file not read" 0 "$rc"

printf '# x\nthreads = 2\nfrobnicate = 1\n' >"$T/bad.conf"
run_vigil scan --no-store --config "$T/bad.conf" "$D"
check "unknown key: exit 2" 2 "$rc"
check "unknown key: file:line named" 1 "$(grep -c "^vigil: $T/bad.conf:3: unknown key 'frobnicate'\$" "$T/err")"
printf '[logs]\nexclude = /x\n' >"$T/bad2.conf"
run_vigil logs --config "$T/bad2.conf" "$T/r.yar"
check "a scan key in [logs]: exit 2" "2 1" "$rc $(grep -c "bad2.conf:2: not an option of this command" "$T/err")"
printf '[scna]\n' >"$T/bad3.conf"
run_vigil scan --config "$T/bad3.conf" "$D"
check "unknown section: exit 2" "2 1" "$rc $(grep -c "bad3.conf:1: unknown section" "$T/err")"
printf 'nice = perhaps\n' >"$T/bad4.conf"
run_vigil scan --config "$T/bad4.conf" "$D"
check "a switch that is not yes or no: exit 2" 2 "$rc"
printf 'report = https://collector.example/in\n' >"$T/report.conf"
# scan has --report (fleet mode); logs does not yet
run_vigil logs --config "$T/report.conf" "$D"
check "report key where the command has no such option: exit 2" "2 1" \
	"$rc $(grep -c "report.conf:1: not supported by this build 'report'" "$T/err")"
run_vigil scan --config "$T/missing.conf" "$D"
check "--config FILE missing: exit 2" "2 1" "$rc $(grep -c "unable to open the configuration" "$T/err")"
finish
