#!/bin/sh
"$VIGIL" pkg --help
