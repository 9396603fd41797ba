#!/bin/sh
# the same in JSON Lines
mkdir -p tree
printf 'one\n' >tree/a
chmod 0755 tree
chmod 0644 tree/a
printf '%s p+u+g+l+sha256\n' "$PWD/tree" >rules
"$VIGIL" baseline init --json --store store.db --select rules
chmod 4755 tree/a
printf 'new\n' >tree/b
"$VIGIL" baseline check --json --store store.db
