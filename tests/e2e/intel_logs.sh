#!/bin/sh
# STIX 2.1 and MISP intel carrying 3CX C2 domains make `vigil logs` fire on a
# Zeek dns.log, and only on the listed domain and its subdomains.
. "$(dirname "$0")/lib/common.sh"
need jq
cat >"$T/bundle.json" <<'EOT'
{"type":"bundle","id":"bundle--1","objects":[{"type":"indicator","spec_version":"2.1",
 "id":"indicator--a","name":"3CX C2","pattern_type":"stix",
 "pattern":"[domain-name:value = 'msstorageazure.com'] OR [domain-name:value = 'officeaddons.com']",
 "valid_from":"2023-03-30T00:00:00Z"}]}
EOT
cat >"$T/misp.json" <<'EOT'
{"Event":{"info":"3CX","Attribute":[{"type":"domain","value":"akamaicontainer.com","to_ids":true}]}}
EOT
printf '#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\tquery\n' >"$T/dns.log"
printf '1680000000.0\tC1\t10.0.0.5\t5353\t10.0.0.1\t53\tudp\t1\tcdn.msstorageazure.com\n' >>"$T/dns.log"
printf '1680000001.0\tC2\t10.0.0.6\t5353\t10.0.0.1\t53\tudp\t2\tnotakamaicontainer.com\n' >>"$T/dns.log"
printf '1680000002.0\tC3\t10.0.0.7\t5353\t10.0.0.1\t53\tudp\t3\takamaicontainer.com\n' >>"$T/dns.log"
printf '1680000003.0\tC4\t10.0.0.8\t5353\t10.0.0.1\t53\tudp\t4\texample.org\n' >>"$T/dns.log"

run_vigil logs --no-builtin --json --iocs "$T/bundle.json" --iocs "$T/misp.json" "$T/dns.log"
check "hits: exit 1" 1 "$rc"
check "hit lines (the subdomain and the exact name, not the look-alike)" "3
5" "$(jq -r 'select(.type=="hit") | .line' "$T/out" | sort -n | tr -d ' ')"
run_vigil logs --no-builtin --json --iocs "$T/bundle.json" "$T/dns.log"
check "STIX alone: one hit" 1 "$(jq -r 'select(.type=="hit") | .line' "$T/out" | wc -l | tr -d ' ')"
finish
