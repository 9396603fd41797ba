#!/bin/sh
# a sweep stores the digests; a new hash IOC then matches from the store alone
. "$CASE_DIR/../lib/fixtures.sh"
mk_tree
"$VIGIL" scan --no-builtin --threads 1 --store store.db --iocs content/golden-filename-iocs.txt tree/hit.bin tree/clean.txt >/dev/null
"$VIGIL" hunt --store store.db --iocs content/golden-hash-iocs.txt
