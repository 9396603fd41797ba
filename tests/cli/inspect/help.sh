#!/bin/sh
"$VIGIL" inspect --help
