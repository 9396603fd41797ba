#!/bin/sh
"$VIGIL" fleet --help
