#!/bin/sh
# the same in JSON Lines
. "$CASE_DIR/../lib/fixtures.sh"
mk_root
"$VIGIL" pkg verify --root root --no-debs --threads 1 --json
