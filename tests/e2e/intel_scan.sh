#!/bin/sh
# Threat-intel IOC inputs end to end: a STIX 2.1 bundle, a MISP event and a
# MISP CSV export carrying the SHA-256 of benign files written here make
# `vigil scan --iocs` report hash findings (exit 1); expired indicators do
# not fire; an unevaluable pattern is reported with its id (and is fatal
# under --strict); malformed JSON stops the run naming the file (exit 2).
. "$(dirname "$0")/lib/common.sh"
need jq
need sha256sum

D=$T/tree
mkdir -p "$D/app" "$T/intel"
printf 'benign stand-in for a trojanized library\n' >"$D/app/ffmpeg.dll"
printf 'benign stand-in for a signed dll with a payload\n' >"$D/app/d3dcompiler_47.dll"
printf 'benign stand-in named like a dropped tool\n' >"$D/app/hunt_me.dll"
printf 'expired indicator target\n' >"$D/app/old.bin"
printf 'csv listed file\n' >"$D/app/csv.bin"
h_ffmpeg=$(sha256sum <"$D/app/ffmpeg.dll" | cut -d' ' -f1)
h_d3d=$(sha256sum <"$D/app/d3dcompiler_47.dll" | cut -d' ' -f1)
h_old=$(sha256sum <"$D/app/old.bin" | cut -d' ' -f1)
h_csv=$(sha256sum <"$D/app/csv.bin" | cut -d' ' -f1)

# names that say nothing about the format: detection is by content
cat >"$T/intel/bundle" <<EOT
{"type": "bundle", "id": "bundle--e2e", "objects": [
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--ffmpeg",
  "name": "test ffmpeg.dll", "pattern_type": "stix", "confidence": 90,
  "pattern": "[file:hashes.'SHA-256' = '$h_ffmpeg'] OR [domain-name:value = 'akamaicontainer.com']"},
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--old",
  "pattern_type": "stix", "valid_until": "2020-01-01T00:00:00Z",
  "pattern": "[file:hashes.SHA256 = '$h_old']"},
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--and",
  "pattern_type": "stix",
  "pattern": "[file:name = 'old.bin' AND file:hashes.'SHA-256' = '$h_old']"}
]}
EOT
cat >"$T/intel/event" <<EOT
{"Event": {"info": "test event", "uuid": "ev-e2e", "Attribute": [
  {"type": "filename|sha256", "value": "d3dcompiler_47.dll|$h_d3d", "to_ids": true,
   "uuid": "attr-d3d"},
  {"type": "filename", "value": "hunt_me.dll", "to_ids": false, "uuid": "attr-hunt"},
  {"type": "domain", "value": "msstorageazure.com", "to_ids": true}
]}}
EOT
printf 'uuid,event_id,category,type,value,comment,to_ids\r\nc-1,9,Payload delivery,sha256,%s,"listed, in CSV",1\r\n' \
	"$h_csv" >"$T/intel/export"

findings() {
	jq -r --arg d "$D/" 'select(.type=="file") | (.path|ltrimstr($d)) as $p |
		.findings[] | "\($p)|\(.kind)|\(.id)|\(.score)"' "$T/out" | sort
}

run_vigil scan --no-builtin --json --iocs "$T/intel/bundle" "$D"
check "STIX: exit 1" 1 "$rc"
check "STIX: hash finding for the bundle's SHA-256 only" \
	"app/ffmpeg.dll|hash|$h_ffmpeg|90" "$(findings)"
check "STIX: finding message is the indicator name and id" "test ffmpeg.dll (indicator--ffmpeg)" \
	"$(jq -r 'select(.type=="file") | .findings[0].message' "$T/out")"
check "STIX: AND pattern reported with file and id" 1 \
	"$(grep -c "bundle: warning: indicator 'indicator--and' not evaluated: pattern uses AND" "$T/err")"

run_vigil scan --no-builtin --json --verbose --iocs "$T/intel/bundle" "$D/app/old.bin"
check "STIX: expired indicator does not fire" 0 "$rc"
check "STIX: expired indicator reported at info level" 1 \
	"$(grep -c "info: indicator 'indicator--old' expired" "$T/err")"

run_vigil scan --no-builtin --strict --iocs "$T/intel/bundle" "$D"
check "STIX: --strict stops on the unevaluable pattern" 2 "$rc"

run_vigil scan --no-builtin --json --iocs "$T/intel/event" "$D"
check "MISP: exit 1" 1 "$rc"
want=$(sort <<EOT
app/d3dcompiler_47.dll|hash|$h_d3d|100
app/hunt_me.dll|filename|(?i)(?:^|[\\\\/])hunt_me\\.dll\$|40
EOT
)
check "MISP: pair gives the hash, hunting file name gives a notice" "$want" "$(findings)"
check "MISP: no warning for a clean event" "" "$(cat "$T/err")"

run_vigil scan --no-builtin --json --iocs "$T/intel/export" "$D"
check "MISP CSV: exit 1" 1 "$rc"
check "MISP CSV: hash finding with the record's line" "app/csv.bin|hash|$h_csv|100|$T/intel/export:2" \
	"$(jq -r --arg d "$D/" 'select(.type=="file") | (.path|ltrimstr($d)) as $p |
		.findings[] | "\($p)|\(.kind)|\(.id)|\(.score)|\(.source)"' "$T/out")"

# all three in one directory (names saying stix / misp / .csv)
mkdir "$T/dir"
cp "$T/intel/bundle" "$T/dir/feed-stix"
cp "$T/intel/event" "$T/dir/event.json"
cp "$T/intel/export" "$T/dir/export.csv"
printf 'not an IOC file\n' >"$T/dir/README.md"
run_vigil scan --no-builtin --json --iocs "$T/dir" "$D"
check "directory: exit 1" 1 "$rc"
check "directory: four files with findings" 4 \
	"$(jq -r 'select(.type=="file") | .path' "$T/out" | sort -u | wc -l)"

printf '{"type": "bundle",\n "objects": [\n  {"type": ]}\n' >"$T/intel/broken"
run_vigil scan --no-builtin --iocs "$T/intel/broken" "$D"
check "malformed JSON: exit 2" 2 "$rc"
check "malformed JSON: error names file and line" 1 \
	"$(grep -c "broken:3: error: malformed JSON" "$T/err")"
finish
