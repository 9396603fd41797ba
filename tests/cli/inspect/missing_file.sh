#!/bin/sh
"$VIGIL" inspect --no-builtin no-such-file
