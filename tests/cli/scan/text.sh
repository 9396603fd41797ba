#!/bin/sh
# the text report: a hash, a file-name (found by the walk of tree/sub) and a
# YARA finding, the summary. Roots are swept in sorted order; every
# directory walked holds one entry, so no readdir order shows.
. "$CASE_DIR/../lib/fixtures.sh"
mk_tree
"$VIGIL" scan --no-builtin --threads 1 --iocs content/golden-hash-iocs.txt --iocs content/golden-filename-iocs.txt --rules content/golden.yar tree/clean.txt tree/hit.bin tree/marker.txt tree/sub
