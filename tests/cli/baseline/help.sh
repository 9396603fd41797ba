#!/bin/sh
"$VIGIL" baseline --help
