#!/bin/sh
# the same as JSON
"$VIGIL_TEST_BIN/mk3cx" m >/dev/null
"$VIGIL" inspect --no-builtin --json m/pe/sigflip_tag_in_cert_table.dll
