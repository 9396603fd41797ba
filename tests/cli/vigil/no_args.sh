#!/bin/sh
# no command: the usage on standard error, exit 2
"$VIGIL"
