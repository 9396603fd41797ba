#!/bin/sh
# a store without a baseline: check has nothing to compare with
"$VIGIL" baseline check --store store.db
