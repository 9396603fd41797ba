#!/bin/sh
# '-' is standard input
. "$CASE_DIR/../lib/fixtures.sh"
mk_logs
"$VIGIL" logs --no-builtin --iocs iocs/golden-c2-iocs.txt - <logs/plain.txt
