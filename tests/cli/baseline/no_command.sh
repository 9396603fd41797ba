#!/bin/sh
# no init, check, update or keygen: the usage on standard error
"$VIGIL" baseline
