#!/bin/sh
"$VIGIL" logs --no-such-option
