#!/bin/sh
# a PE built byte by byte by the fixture tool mk3cx (SigFlip-style data in
# the certificate table, as in the 3CX d3dcompiler_47.dll): the anatomy
# and the structural findings, without content packs
"$VIGIL_TEST_BIN/mk3cx" m >/dev/null
"$VIGIL" inspect --no-builtin m/pe/sigflip_tag_in_cert_table.dll
