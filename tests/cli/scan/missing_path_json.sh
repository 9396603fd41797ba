#!/bin/sh
# the same in JSON
. "$CASE_DIR/../lib/fixtures.sh"
mk_tree
"$VIGIL" scan --no-builtin --threads 1 --json --iocs content/golden-hash-iocs.txt no-such-dir tree/clean.txt
