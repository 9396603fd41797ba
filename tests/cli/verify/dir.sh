#!/bin/sh
# a directory release that passes the default policy (text)
mkdir -p rel
printf 'a file of the release\n' >rel/readme.txt
"$VIGIL" verify rel
