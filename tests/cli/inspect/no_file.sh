#!/bin/sh
# no FILE: usage error
"$VIGIL" inspect
