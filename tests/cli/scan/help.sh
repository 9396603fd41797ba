#!/bin/sh
"$VIGIL" scan --help
