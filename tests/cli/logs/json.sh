#!/bin/sh
# JSON Lines: hit, ioc and summary records
. "$CASE_DIR/../lib/fixtures.sh"
mk_logs
"$VIGIL" logs --no-builtin --json --iocs iocs/golden-c2-iocs.txt logs/dns.log logs/plain.txt
