#!/bin/sh
mkdir -p "$TMP/rel"
printf 'a file of the release\n' >"$TMP/rel/readme.txt"
"$VIGIL" snapshot "$TMP/rel" -o -
