#!/bin/sh
"$VIGIL" fleet no-such-subcommand
