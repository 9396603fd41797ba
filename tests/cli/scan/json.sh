#!/bin/sh
# JSON Lines: one record per file (roots in sorted order), then the summary
. "$CASE_DIR/../lib/fixtures.sh"
mk_tree
"$VIGIL" scan --no-builtin --threads 1 --json --iocs content/golden-hash-iocs.txt --iocs content/golden-filename-iocs.txt --rules content/golden.yar tree/clean.txt tree/hit.bin tree/marker.txt tree/sub
