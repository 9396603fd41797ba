#!/bin/sh
"$VIGIL" fleet --no-such-option
