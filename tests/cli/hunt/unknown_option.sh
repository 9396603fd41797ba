#!/bin/sh
"$VIGIL" hunt --no-such-option
