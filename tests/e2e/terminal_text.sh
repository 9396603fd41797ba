#!/bin/sh
# Text a terminal would act on never leaves vigil raw: a file name and an
# IOC description holding ESC, U+009B (CSI) and U+202E (right-to-left
# override) come out escaped as \xHH bytes in `vigil inspect` and `vigil
# scan` text, and the IOC description also in JSON, even through `jq -r`
# (which turns a JSON "\u001b" back into a raw ESC). JSON paths are the
# exact name (schema 2): JSON's escapes carry the control characters, and
# `jq -r .path` gives back the file's real name.
. "$(dirname "$0")/lib/common.sh"
need jq
export LC_ALL=C

bad=$(printf 'a\033[31m\302\233b\342\200\256c')
want='a\x1b[31m\xc2\x9bb\xe2\x80\xaec'
F="$T/$bad.bin"
printf 'terminal text content\n' >"$F"

# raw_bytes FILE: succeeds when FILE holds ESC, a C1 control or a bidi mark
raw_bytes() {
	grep -q "$(printf '\033')" "$1" && return 0
	grep -q "$(printf '\302\233')" "$1" && return 0
	grep -q "$(printf '\342\200\256')" "$1" && return 0
	return 1
}

run_vigil inspect "$F"
raw_bytes "$T/out" && not_ok "inspect text: raw control bytes" || ok "inspect text: no raw control bytes"
grep -qF "$want" "$T/out" && ok "inspect text: escaped name" || not_ok "inspect text: escaped name"

run_vigil inspect --json "$F"
jq -r 'del(.. | .path?) | .. | strings' "$T/out" >"$T/jqr"
raw_bytes "$T/jqr" && not_ok "inspect --json | jq -r: raw control bytes" ||
	ok "inspect --json | jq -r: no raw control bytes but in the path"
raw_bytes "$T/out" && not_ok "inspect --json: raw control bytes in the record" ||
	ok "inspect --json: control bytes as JSON escapes"
check "inspect --json: exact name" "$(printf '%s' "$F" | od -An -tx1)" \
	"$(jq -j .path "$T/out" | od -An -tx1)"

md5=$(md5sum <"$F" | cut -d' ' -f1)
mkdir "$T/iocs"
printf '%s;note %s\n' "$md5" "$bad" >"$T/iocs/term-hash-iocs.txt"
run_vigil scan --no-builtin --json --iocs "$T/iocs" "$F"
check "scan exit 1 with the hash hit" 1 "$rc"
jq -r 'select(.type=="file") | del(.path) | .. | strings' "$T/out" >"$T/jqr"
raw_bytes "$T/jqr" && not_ok "scan --json | jq -r: raw control bytes" ||
	ok "scan --json | jq -r: no raw control bytes but in the path"
check "scan --json: exact name" "$(printf '%s' "$F" | od -An -tx1)" \
	"$(jq -j 'select(.type=="file") | .path' "$T/out" | od -An -tx1)"
run_vigil scan --no-builtin --iocs "$T/iocs" "$F"
raw_bytes "$T/out" && not_ok "scan text: raw control bytes" || ok "scan text: no raw control bytes"
grep -qF "$want" "$T/out" && ok "scan text: escaped name" || not_ok "scan text: escaped name"
run_vigil scan --no-builtin --json --iocs "$T/iocs" "$F"
got=$(jq -r 'select(.type=="file") | .findings[] | .message' "$T/out")
case $got in
*"$want"*) ok "scan --json: escaped IOC description" ;;
*) not_ok "scan --json: escaped IOC description"; echo "  got: $got" ;;
esac

# the log hunt's own records (written by the CLI) follow the same rule
printf 'evil-term.example;note %s\n' "$bad" >"$T/iocs/term-c2-iocs.txt"
printf 'client 10.0.0.1#53: query: evil-term.example IN A +\n' >"$T/q.log"
run_vigil logs --json --iocs "$T/iocs/term-c2-iocs.txt" "$T/q.log"
check "logs exit 1 with the domain hit" 1 "$rc"
jq -r '.. | strings' "$T/out" >"$T/jqr"
raw_bytes "$T/jqr" && not_ok "logs --json | jq -r: raw control bytes" ||
	ok "logs --json | jq -r: no raw control bytes"
got=$(jq -r 'select(.type=="hit") | .ioc_comment' "$T/out")
case $got in
*"$want"*) ok "logs --json: escaped IOC comment" ;;
*) not_ok "logs --json: escaped IOC comment"; echo "  got: $got" ;;
esac
finish
