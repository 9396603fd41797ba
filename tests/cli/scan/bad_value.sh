#!/bin/sh
# an option value out of range is named
"$VIGIL" scan --threads 0 .
