#!/bin/sh
# check PATH must lie below the baseline's roots
mkdir -p tree other
"$VIGIL" baseline init --store store.db tree >/dev/null
"$VIGIL" baseline check --store store.db other
