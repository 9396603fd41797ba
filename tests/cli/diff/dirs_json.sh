#!/bin/sh
# two releases of plain files: one modified, one added, one removed
mkdir -p "$TMP/old" "$TMP/new"
printf 'same\n' >"$TMP/old/same.txt"
printf 'same\n' >"$TMP/new/same.txt"
printf 'one\n' >"$TMP/old/changed.txt"
printf 'two\n' >"$TMP/new/changed.txt"
printf 'gone\n' >"$TMP/old/gone.txt"
printf 'new\n' >"$TMP/new/added.txt"
"$VIGIL" diff --json "$TMP/old" "$TMP/new"
