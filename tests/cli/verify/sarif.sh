#!/bin/sh
# --sarif: the SARIF log of a release that passes the default policy
mkdir -p rel
printf 'a file of the release\n' >rel/readme.txt
"$VIGIL" verify --sarif rel
