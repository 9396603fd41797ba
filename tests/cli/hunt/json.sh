#!/bin/sh
# the same in JSON Lines
. "$CASE_DIR/../lib/fixtures.sh"
mk_tree
"$VIGIL" scan --no-builtin --threads 1 --store store.db --iocs content/golden-filename-iocs.txt tree/hit.bin tree/clean.txt >/dev/null
"$VIGIL" hunt --json --store store.db --iocs content/golden-hash-iocs.txt
