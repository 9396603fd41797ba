#!/bin/sh
# a file that is not a binary: its type, digests and findings
. "$CASE_DIR/../lib/fixtures.sh"
mk_tree
"$VIGIL" inspect --no-builtin --iocs content/golden-hash-iocs.txt --rules content/golden.yar tree/hit.bin tree/marker.txt
