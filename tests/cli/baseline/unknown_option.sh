#!/bin/sh
"$VIGIL" baseline check --no-such-option
