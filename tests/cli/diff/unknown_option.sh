#!/bin/sh
"$VIGIL" diff --no-such-option
