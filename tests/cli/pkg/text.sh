#!/bin/sh
# a dpkg root with a changed file
. "$CASE_DIR/../lib/fixtures.sh"
mk_root
"$VIGIL" pkg verify --root root --no-debs --threads 1
