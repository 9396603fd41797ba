#!/bin/sh
# --summary: the per-IOC summary and totals only
. "$CASE_DIR/../lib/fixtures.sh"
mk_logs
"$VIGIL" logs --no-builtin --summary --iocs iocs/golden-c2-iocs.txt logs
