#!/bin/sh
# no hit: exit 0
. "$CASE_DIR/../lib/fixtures.sh"
mk_logs
printf "quiet\n" >quiet.log
"$VIGIL" logs --no-builtin --iocs iocs/golden-c2-iocs.txt quiet.log
