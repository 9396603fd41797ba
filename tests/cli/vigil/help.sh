#!/bin/sh
# vigil --help: the command list
"$VIGIL" --help
