#!/bin/sh
# hits in a Zeek DNS log and a plain log, then the per-IOC summary
. "$CASE_DIR/../lib/fixtures.sh"
mk_logs
"$VIGIL" logs --no-builtin --iocs iocs/golden-c2-iocs.txt logs/dns.log logs/plain.txt
