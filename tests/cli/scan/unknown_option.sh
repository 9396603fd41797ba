#!/bin/sh
"$VIGIL" scan --no-such-option
