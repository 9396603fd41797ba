#!/bin/sh
# a store file that does not exist yet: hunt makes an empty one and checks
# no file (exit 0)
printf 'd41d8cd98f00b204e9800998ecf8427e\n' >golden-hash-iocs.txt
"$VIGIL" hunt --store none.db --iocs golden-hash-iocs.txt
