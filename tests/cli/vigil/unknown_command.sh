#!/bin/sh
# an unknown command is named, then the usage; exit 2
"$VIGIL" frobnicate
