#!/bin/sh
# check keeps the rules stored with the baseline
printf '/x R\n' >rules
"$VIGIL" baseline check --store store.db --select rules
