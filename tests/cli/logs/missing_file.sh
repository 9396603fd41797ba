#!/bin/sh
# a log that does not exist is named; exit 2
. "$CASE_DIR/../lib/fixtures.sh"
mk_logs
"$VIGIL" logs --no-builtin --iocs iocs/golden-c2-iocs.txt no-such.log
