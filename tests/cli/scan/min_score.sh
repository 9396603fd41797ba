#!/bin/sh
# --min-score above every finding: the same report, exit 0
. "$CASE_DIR/../lib/fixtures.sh"
mk_tree
"$VIGIL" scan --no-builtin --threads 1 --min-score 80 --iocs content/golden-filename-iocs.txt tree/sub
