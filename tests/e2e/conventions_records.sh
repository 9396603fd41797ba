#!/bin/sh
# What every JSON record carries for triage across hosts (schema 2): the
# host name, the sweep's start time, vigil's version and the content's
# identity (counts and SHA-256 of the IOC and rule sets used), in every
# record of scan, logs, inspect and pkg; per file on disk its mtime and
# ctime (RFC 3339, nanoseconds), uid, owner and mode. The content digest
# changes when an IOC changes.
. "$(dirname "$0")/lib/common.sh"
need jq

D=$T/tree
mkdir -p "$D"
printf 'records fixture\n' >"$D/hit.bin"
chmod 0640 "$D/hit.bin"
touch -d '2021-03-04 05:06:07.5 UTC' "$D/hit.bin"
sha=$(sha256sum <"$D/hit.bin" | cut -d' ' -f1)
printf '%s;records test\n' "$sha" >"$T/a-hash-iocs.txt"
printf 'rule rec_rule { strings: $a = "records fixture" condition: $a }\n' >"$T/r.yar"

run_vigil scan --no-builtin --json --no-store --iocs "$T/a-hash-iocs.txt" --rules "$T/r.yar" "$D"
check "scan: exit 1" 1 "$rc"
host=$(hostname)
check "every record names the host" 0 \
	"$(jq -c --arg h "$host" 'select(.host != $h)' "$T/out" | wc -l)"
check "every record names vigil's version" 0 \
	"$(jq -c --arg v "$("$VIGIL" --version --json | jq -r .vigil)" 'select(.vigil != $v)' "$T/out" | wc -l)"
check "every record has the start time in RFC 3339 UTC" 0 \
	"$(jq -c 'select((.started | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")) | not)' "$T/out" | wc -l)"
check "one start time for the run" 1 "$(jq -r .started "$T/out" | sort -u | wc -l)"
check "content counts" "1 0 0 1 1" \
	"$(jq -r 'select(.type=="summary") | .content | "\(.iocs.hash) \(.iocs.filename) \(.iocs.network) \(.rules.count) \(.rules.files)"' "$T/out")"
check "content digests are SHA-256" 2 \
	"$(jq -r 'select(.type=="summary") | .content | .iocs.sha256, .rules.sha256' "$T/out" | grep -c '^[0-9a-f]\{64\}$')"
check "the same content in every record" 1 "$(jq -c .content "$T/out" | sort -u | wc -l)"
check "file: mtime with nanoseconds" "2021-03-04T05:06:07.500000000Z" \
	"$(jq -r 'select(.type=="file") | .mtime' "$T/out")"
check "file: ctime" 1 "$(jq -r 'select(.type=="file") | .ctime' "$T/out" | grep -c '^[0-9-]*T[0-9:]*\.[0-9]\{9\}Z$')"
check "file: uid and owner" "$(id -u) $(id -un)" \
	"$(jq -r 'select(.type=="file") | "\(.uid) \(.owner)"' "$T/out")"
check "file: mode as octal text" 0640 "$(jq -r 'select(.type=="file") | .mode' "$T/out")"
old=$(jq -r 'select(.type=="summary") | .content.iocs.sha256' "$T/out")

# one IOC's comment changed: another digest
printf '%s;records test, edited\n' "$sha" >"$T/a-hash-iocs.txt"
run_vigil scan --no-builtin --json --no-store --iocs "$T/a-hash-iocs.txt" --rules "$T/r.yar" "$D"
new=$(jq -r 'select(.type=="summary") | .content.iocs.sha256' "$T/out")
[ "$old" != "$new" ] && ok "content digest follows the IOCs" || not_ok "content digest follows the IOCs"

# the other commands' records carry the same run fields
printf 'evil-records.example;records c2\n' >"$T/r-c2-iocs.txt"
printf 'client 10.0.0.9#53: query: evil-records.example IN A +\n' >"$T/q.log"
run_vigil logs --json --no-builtin --iocs "$T/r-c2-iocs.txt" "$T/q.log"
check "logs: exit 1" 1 "$rc"
check "logs: every record has host, started, vigil, content" 0 \
	"$(jq -c 'select((has("host") and has("started") and has("vigil") and (.content.iocs.network == 1)) | not)' "$T/out" | wc -l)"
run_vigil inspect --json --no-builtin "$D/hit.bin"
check "inspect: host, started, vigil, content" true \
	"$(jq -c 'has("host") and has("started") and has("vigil") and has("content")' "$T/out")"
check "inspect: fields after the type" '["schema","type","host","started","vigil","content"]' \
	"$(jq -c '[keys_unsorted[0:6][]]' "$T/out")"
finish
