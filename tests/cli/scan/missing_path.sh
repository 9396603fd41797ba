#!/bin/sh
# a PATH that does not exist: reported, the others swept, exit 2
. "$CASE_DIR/../lib/fixtures.sh"
mk_tree
"$VIGIL" scan --no-builtin --threads 1 --iocs content/golden-hash-iocs.txt no-such-dir tree/clean.txt
