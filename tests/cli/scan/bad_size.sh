#!/bin/sh
"$VIGIL" scan --max-size 12Q .
