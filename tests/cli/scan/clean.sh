#!/bin/sh
# nothing found: exit 0
. "$CASE_DIR/../lib/fixtures.sh"
mk_tree
rm tree/hit.bin tree/marker.txt tree/sub/dropper_tool.exe
"$VIGIL" scan --no-builtin --threads 1 --iocs content/golden-hash-iocs.txt --rules content/golden.yar tree/clean.txt tree/sub
