#!/bin/sh
"$VIGIL" push --no-such-option
