#!/bin/sh
# hunt needs IOCs
"$VIGIL" hunt --store none.db
