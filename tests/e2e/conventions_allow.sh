#!/bin/sh
# --allow FILE: findings accepted by path glob and finding ID (lines, or
# JSON objects one per line), each with a reason, optionally until a
# date: left out of text, lines and JSON output, counted as suppressed in
# the summary, and no longer in the exit status; an expired entry is
# ignored with a warning naming file:line; a malformed one stops the run
# (exit 2) naming file:line.
. "$(dirname "$0")/lib/common.sh"
need jq

D=$T/tree
mkdir -p "$D/vendor" "$D/other"
printf 'allow fixture marker\n' >"$D/vendor/tool.bin"
cp "$D/vendor/tool.bin" "$D/other/tool.bin"
printf 'rule allow_marker { meta: score = 80 strings: $a = "allow fixture marker" condition: $a }\n' >"$T/r.yar"
S="--no-builtin --no-store --rules $T/r.yar"

cat >"$T/allow" <<'EOT'
# vendor's own tool, judged in ticket 12
*/vendor/* allow_marker expires=2999-12-31 vendor tool, seen in ticket 12
{"path": "*/other/*", "id": "allow_marker", "reason": "old exception", "expires": "2001-01-01"}
EOT
run_vigil scan $S --json --allow "$T/allow" "$D"
check "exit 1: the other file still hits" 1 "$rc"
check "the allowed file has no finding left" 0 \
	"$(jq -r --arg p "$D/vendor/tool.bin" 'select(.type=="file" and .path == $p) | .findings | length' "$T/out")"
check "the allowed file scores 0" 0 \
	"$(jq -r --arg p "$D/vendor/tool.bin" 'select(.type=="file" and .path == $p) | .score' "$T/out")"
check "summary: suppressed" "1 1 1" \
	"$(jq -r 'select(.type=="summary") | "\(.suppressed) \(.suppressed_files) \(.hits)"' "$T/out")"
check "summary: levels after the allow-list" 1 "$(jq -r 'select(.type=="summary") | .files_by_level.alert' "$T/out")"
check "expired entry: warning with file:line" 1 \
	"$(grep -c "^vigil: $T/allow:3: warning: allow-list entry expired on 2001-01-01, ignored\$" "$T/err")"

run_vigil scan $S --allow "$T/allow" "$D"
check "text: suppressed in the summary" 1 "$(grep -c '^suppressed by the allow-list: 1 finding in 1 file$' "$T/out")"
check "text: the allowed file not shown" 0 "$(grep -c 'vendor/tool.bin' "$T/out" || true)"
run_vigil scan $S --format lines --allow "$T/allow" "$D"
check "lines: only the other file" "alert	80	allow_marker	$D/other/tool.bin" "$(cat "$T/out")"

printf '*/vendor/* allow_marker\n' >"$T/noreason"
run_vigil scan $S --allow "$T/noreason" "$D"
check "no reason: exit 2" 2 "$rc"
check "no reason: file:line named" 1 "$(grep -c "^vigil: $T/noreason:1: malformed allow-list entry" "$T/err")"
printf '# ok\n*/x * expires=2024-02-30 bad date\n' >"$T/baddate"
run_vigil scan $S --allow "$T/baddate" "$D"
check "bad date: exit 2 naming line 2" "2 1" "$rc $(grep -c "$T/baddate:2: malformed" "$T/err")"
printf '{"path": "*", "id": "x", "reason": "r", "why": "?"}\n' >"$T/badjson"
run_vigil scan $S --allow "$T/badjson" "$D"
check "unknown JSON key: exit 2" 2 "$rc"
# every finding of a file under one entry: the ID is a glob too
printf '%s/* * all accepted\n' "$D" >"$T/all"
run_vigil scan $S --allow "$T/all" "$D"
check "ID glob '*': all suppressed, exit 0" 0 "$rc"
finish
