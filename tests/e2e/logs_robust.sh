#!/bin/sh
# vigil logs on input as real deployments write it (the real-data issue):
# malformed JSON lines counted the same whatever the IOC set.
. "$(dirname "$0")/lib/common.sh"
need jq

mkdir -p "$T/a" "$T/b"
printf 'akamaicontainer.com\n' >"$T/b/b-c2-iocs.txt"
printf 'akamaicontainer.com\nwww.example.org\nevil.example.org\n198.51.100.7\n' >"$T/a/a-c2-iocs.txt"

# 1. JSON: the prefilter skips lines with no candidate string; a malformed
# line must be counted (and searched as text) all the same
cat >"$T/eve.json" <<'EOT'
{"timestamp":"2023-03-29T12:35:01Z","event_type":"dns","src_ip":"10.0.0.9","dns":{"rrname":"akamaicontainer.com"}}
{"timestamp":"2023-03-29T12:35:02Z","event_type":"flow","src_ip":"10.0.0.9","dest_ip":"198.51.100.7",}
{"ts":1680093300.0,"query":"www.example.org" "x"}
{"hello":"www.example.org"}
{"ts":1680093301.0,"query":evil.example.org}
{"ts":1680093302.0,"query":"clean.example.net","answers":["192.0.2.1"]}
EOT
for set in a b; do
	run_vigil logs --no-builtin --json --iocs "$T/$set" "$T/eve.json"
	check "json, IOC set $set: malformed lines" 4 "$(tail -n 1 "$T/out" | jq .malformed_lines)"
	check "json, IOC set $set: lines" 6 "$(tail -n 1 "$T/out" | jq .lines)"
done
run_vigil logs --no-builtin --json --iocs "$T/a" "$T/eve.json"
check "json: an indicator outside the strings of a malformed line is found" \
	"5|generic|text|evil.example.org" \
	"$(jq -r 'select(.type=="hit" and .line==5) | "\(.line)|\(.format)|\(.field)|\(.value)"' "$T/out")"

finish
