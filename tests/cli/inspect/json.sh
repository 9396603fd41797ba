#!/bin/sh
# the same as JSON
. "$CASE_DIR/../lib/fixtures.sh"
mk_tree
"$VIGIL" inspect --no-builtin --json --iocs content/golden-hash-iocs.txt --rules content/golden.yar tree/hit.bin tree/marker.txt
