#!/bin/sh
# --min-score outside 0-100 is refused
"$VIGIL" scan --min-score 101 .
