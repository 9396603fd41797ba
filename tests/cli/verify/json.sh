#!/bin/sh
# --json: the verify record of a release that passes the default policy
mkdir -p rel
printf 'a file of the release\n' >rel/readme.txt
"$VIGIL" verify --json rel
