#!/bin/sh
# vigil help of an unknown command
"$VIGIL" help frobnicate
