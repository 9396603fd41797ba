#!/bin/sh
# vigil help COMMAND is COMMAND --help
"$VIGIL" help logs
