#!/bin/sh
"$VIGIL" hunt --help
