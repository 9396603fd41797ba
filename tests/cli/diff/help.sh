#!/bin/sh
"$VIGIL" diff --help
