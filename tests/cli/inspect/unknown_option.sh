#!/bin/sh
"$VIGIL" inspect --no-such-option
