#!/bin/sh
"$VIGIL" push --help
