#!/bin/sh
# a malformed IOC line is reported and skipped; with --strict it stops the run
printf "not-a-hash-at-all\n" >bad-hash-iocs.txt
printf "x\n" >f
"$VIGIL" scan --no-builtin --iocs bad-hash-iocs.txt f
echo "exit $?"
"$VIGIL" scan --no-builtin --strict --iocs bad-hash-iocs.txt f
