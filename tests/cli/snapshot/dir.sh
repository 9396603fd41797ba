#!/bin/sh
# -o -: the snapshot record (JSON) of a directory on standard output
mkdir -p rel
printf 'a file of the release\n' >rel/readme.txt
"$VIGIL" snapshot rel -o -
